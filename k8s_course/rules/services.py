"""Rules about services (to be written)."""
