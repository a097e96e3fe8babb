"""Marks user-facing domain texts for translation without importing a web framework.

The domain only *marks* texts (so Babel extracts them); the web layer translates them with
the user's language and fills in the named ``%(params)s``.
"""


def N_(text: str) -> str:
    """Mark ``text`` for extraction; translated later by the web layer."""
    return text
