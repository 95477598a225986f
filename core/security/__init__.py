"""Authentication building blocks: password hashing (more to come: tokens, roles)."""
