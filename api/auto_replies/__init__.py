"""Auto-reply rules (seed 003 v3.0): what the supervision graph says on its own."""
