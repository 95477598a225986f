"""Handoff mail delivery: the worker that drains the supervision graph's Redis outbox via SMTP.

Here (in api/) because it runs in the API process's lifespan by default, beside the Redis client
and settings it shares; `python -m api.mail` runs the same worker as a process of its own.
See docs/mail.md.
"""
