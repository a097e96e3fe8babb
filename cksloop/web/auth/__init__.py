"""Signing in and out, and choosing the language."""
