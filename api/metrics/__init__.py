"""`GET /metrics`: the Prometheus exposition, its access rule, the request middleware and the
values read at scrape time (definitions: core/metrics.py; guide: docs/metrics.md)."""
