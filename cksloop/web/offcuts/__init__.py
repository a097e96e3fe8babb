"""Offcut lot pages (issue 15)."""
