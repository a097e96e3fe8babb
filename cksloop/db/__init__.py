"""Persistence: typed models, engine and session set-up, read-side queries."""
