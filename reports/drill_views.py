"""The tickets behind a figure: the list and its exports."""
