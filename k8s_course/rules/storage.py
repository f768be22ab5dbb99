"""Rules about storage (to be written)."""
