"""Rules about namespaces (to be written)."""
