"""User administration (admins only): agents at `/api/agents`, store staff at `/api/users`."""
