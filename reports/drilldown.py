"""Which tickets are behind each figure (reports.catalog names them)."""
