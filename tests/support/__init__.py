"""Builders shared by tests: hand-made documents, chart data and stand-in charts."""
