from mcp_servers.knowledge.server import mcp
from mcp_servers.server import serve

serve(mcp)
