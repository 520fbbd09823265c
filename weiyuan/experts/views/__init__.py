"""Views of the expert database (profiles.py) and of matching experts for a case (matching.py)."""
