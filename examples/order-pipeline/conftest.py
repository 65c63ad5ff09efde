"""The order pipeline's tests run from here; pytest puts this directory on sys.path."""
