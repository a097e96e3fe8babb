"""The home page per role: what needs doing today."""
