"""keys commands."""
