"""A report as a table: one row a value of the breakdown, the catalog's columns (the page and its export)."""
