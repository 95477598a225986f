from mcp_servers.promotion.server import mcp
from mcp_servers.server import serve

serve(mcp)
