"""Rendering of computed results: HTML report pages and plots (no statistics here)."""
