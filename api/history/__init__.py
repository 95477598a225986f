"""Conversation history (archive, search) and the daily/weekly/monthly chat reports."""
