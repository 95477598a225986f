"""Supervision rules: escalation policy, status machine, shift hours, language helpers."""
