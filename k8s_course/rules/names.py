"""Rules about names (to be written)."""
