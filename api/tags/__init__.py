"""Session tags (seed 003 v3.0): system and custom tags on chat sessions."""
