"""Rental pages: partners, the pool, check-out, returns with inspection, care, lists and exports."""
