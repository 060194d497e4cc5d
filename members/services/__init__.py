"""Writes of the members app, one module per subject."""
