"""Location pages: stores, warehouse, outlet and partners, with their garments by state."""
