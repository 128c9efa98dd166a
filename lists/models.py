"""Models of the lists app."""
