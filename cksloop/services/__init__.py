"""Use cases: one function each, keyword-only arguments, an explicit session, commits once."""
