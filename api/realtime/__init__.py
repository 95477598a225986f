"""Real-time delivery across API instances: the event hub (Redis Streams + pub/sub)."""
