"""Data access: keyword-only functions taking `session=`. No rules live here, only queries."""
