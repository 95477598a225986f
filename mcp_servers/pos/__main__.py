from mcp_servers.pos.server import mcp
from mcp_servers.server import serve

serve(mcp)
