"""Rules about config (to be written)."""
