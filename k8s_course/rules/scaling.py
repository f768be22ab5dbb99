"""Rules about scaling (to be written)."""
