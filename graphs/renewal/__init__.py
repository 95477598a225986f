"""The 10-step renewal graph: every staff decision is an interrupt (seed 000 §3.2)."""
