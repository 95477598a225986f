"""Agent side of the supervised chat: queue, takeover, messages, release, shift, stats, streams."""
