"""Knowledge server: FAQ and documents agents curate, answered from with citations (issue 21).

Only the ingestion core exists so far (`ingest/`): bytes → typed document → chunks. The server
that owns the index, the API routes and the background jobs are not built yet (docs/knowledge.md).
"""
