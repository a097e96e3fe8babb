"""Printing garment labels: the label API and the print page."""
