"""pubsub commands."""
