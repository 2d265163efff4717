"""Template helpers of the report pages."""
