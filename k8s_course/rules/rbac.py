"""Rules about rbac (to be written)."""
