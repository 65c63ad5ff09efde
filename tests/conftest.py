"""Shared fixtures; this directory is on sys.path, so `fixtures` imports."""
