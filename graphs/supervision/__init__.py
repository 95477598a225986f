"""Supervision: the escalation policy, session status machine and shift hours (pure rules)."""
