"""Tools the graphs use: the MCP toolbox (one persistent session per back-office server)
and, in later layers, the chat-model factory."""
