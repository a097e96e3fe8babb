"""Garment pages: the list, the garment page with its history, and its actions."""
