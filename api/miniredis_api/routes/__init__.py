"""HTTP routes: one thin router per resource, each handler one call into a service."""
