"""Access-matrix rows per app (see tests/access_support.py)."""
