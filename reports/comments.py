"""The comments of the low ratings of a period (the satisfaction section)."""
