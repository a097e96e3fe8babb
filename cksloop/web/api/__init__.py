"""The JSON API under /api/v1: one blueprint (blueprint.py), one module per resource, auth, OpenAPI."""
