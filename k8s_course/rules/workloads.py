"""Rules about workloads (to be written)."""
