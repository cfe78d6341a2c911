"""JSON API of the criticism app."""

from ninja import Router

router = Router(tags=["criticism"])
