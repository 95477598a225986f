"""POS back-office system: devices, store stock, reservations."""
