"""Knowledge server: FAQs and documents agents curate, answered from with citations (issue 21).

`ingest/` turns uploaded bytes into chunks; `store` keeps FAQs, documents and chunks (tenant on
every row); `index` is the per-tenant hybrid index; `jobs` the ingestion worker; `server` the
MCP tools (`python -m mcp_servers.knowledge`). See docs/knowledge.md.
"""
