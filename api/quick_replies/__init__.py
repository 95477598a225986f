"""Quick replies (seed 003 v3.0): canned answers with variables."""
