"""Overstock pages: the two-weekly review a merchandiser opens in the meeting, its drill-down, charts, exports and settings."""
