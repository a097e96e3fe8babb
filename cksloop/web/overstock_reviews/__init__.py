"""The review meeting's pages: open a session, decide per line, execute."""
