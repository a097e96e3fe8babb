"""cksloop: every CKS garment kept in the loop. ``create_app`` is the app factory."""
from cksloop.app import create_app

__all__ = ["create_app"]
