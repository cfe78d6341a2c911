"""JSON API of the housing app."""

from ninja import Router

router = Router(tags=["housing"])
