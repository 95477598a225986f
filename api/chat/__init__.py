"""Customer side of the supervised chat: anonymous sessions, session tokens, chat turns."""
