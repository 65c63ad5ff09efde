"""Presentation: diagnostics, graphs, descriptions and (later) the live view."""
