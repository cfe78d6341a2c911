"""Fixtures for condition reports: the small federation with a moderation commission,
and photos made with Pillow."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

import pytest
from PIL import Image

from tests.conftest import SmallFederation, make_body, make_member


@dataclass
class ConditionsWorld:
    fed: SmallFederation
    co_worker: Any  # a second rank-and-file member of the Forge shop
    moderator: Any  # holds a seat on the congress's moderation commission
    commission: Any


def image_bytes(fmt: str = "JPEG", size: tuple[int, int] = (64, 48), **save: Any) -> bytes:
    image = Image.new("RGB", size, (180, 40, 30))
    buffer = io.BytesIO()
    image.save(buffer, fmt, **save)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF names a place (GPS latitude and longitude)."""
    image = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    gps = {1: "N", 2: (55.0, 45.0, 0.0), 3: "E", 4: (37.0, 37.0, 0.0)}
    exif[0x8825] = gps
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    return buffer.getvalue()


@pytest.fixture
def world(small_federation: SmallFederation) -> ConditionsWorld:
    return make_world(small_federation)


def make_world(small_federation: SmallFederation) -> ConditionsWorld:
    """The small federation with a second worker at the Forge and a moderation commission
    at the congress (web and API tests build it through their own fixture)."""
    from collegium.elections.services import board_seat_founding
    from collegium.record.services import SYSTEM

    fed = small_federation
    co_worker = make_member("1004", "Olga", "Smirnova", fed.shop)
    commission = make_body(
        "congress-moderation", "Moderation Commission", "commission", fed.congress
    )
    commission.function = "moderation"
    commission.save(update_fields=["function"])
    moderator = make_member("3001", "Lidia", "Moderova", fed.other_shop)
    today = dt.date.today()
    board_seat_founding(
        user=None,
        actor=SYSTEM,
        body=commission,
        members=[moderator],
        term_start=today - dt.timedelta(days=30),
        term_end=today + dt.timedelta(days=700),
    )
    return ConditionsWorld(fed, co_worker, moderator, commission)
