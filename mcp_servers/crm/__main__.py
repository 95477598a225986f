from mcp_servers.crm.server import mcp
from mcp_servers.server import serve

serve(mcp)
