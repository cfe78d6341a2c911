"""Housing fixtures: a few dwellings of Sormovo Works and a clock."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)


@pytest.fixture
def now() -> dt.datetime:
    return NOW


@pytest.fixture
def housing(small_federation: Any) -> Any:
    from collegium.housing.models import Dwelling

    f = small_federation

    def dwelling(code: str, rooms: int = 2, **kw: Any) -> Any:
        values = {
            "address": f"{code} Factory Street",
            "area_m2": 50,
            "condition": "good",
            "state": "vacant",
        }
        values.update(kw)
        return Dwelling.objects.create(
            code=code, body=f.enterprise, rooms=rooms, created_at=NOW, updated_at=NOW, **values
        )

    f.dwelling = dwelling
    return f
