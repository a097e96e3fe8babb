"""Workshops with offcuts and remanufacturing projects: the organiser's tablet pages (issue 15)."""
