"""Models of the filters app."""
