"""JSON API of the conditions app."""

from ninja import Router

router = Router(tags=["conditions"])
