"""The report charts, drawn on the server as SVG."""
