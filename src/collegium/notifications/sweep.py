"""The periodic sweep, callable directly (``collegium tick``) or as a background task."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone


def run_sweep(now: dt.datetime | None = None) -> dict[str, Any]:
    from collegium.elections.models import Election
    from collegium.elections.services import ElectionError, election_count, recall_sweep
    from collegium.record.checkpoints import checkpoint_create, current_head, latest_checkpoint

    now = now or timezone.now()
    counted = 0
    for election in Election.objects.filter(state=Election.State.VOTING, voting_closes_at__lte=now):
        try:
            election_count(election=election, now=now)
            counted += 1
        except ElectionError:
            continue  # counted meanwhile by another worker
    recalls = recall_sweep(now=now)
    from collegium.conditions.services import conditions_sweep
    from collegium.criticism.services import criticism_sweep
    from collegium.decisions.initiatives import initiatives_sweep
    from collegium.decisions.services import decisions_sweep
    from collegium.housing.services import housing_sweep

    decisions = decisions_sweep(now=now)
    initiatives = initiatives_sweep(now=now)
    criticism = criticism_sweep(now=now)
    conditions = conditions_sweep(now=now)
    housing = housing_sweep(now=now)
    latest = latest_checkpoint()
    size, _root = current_head()
    checkpoint = False
    if latest is None or (latest.size != size and now - latest.created_at >= dt.timedelta(days=1)):
        checkpoint_create()
        checkpoint = True
    return {
        "elections_counted": counted,
        **recalls,
        **decisions,
        **initiatives,
        **criticism,
        **conditions,
        **housing,
        "checkpoint": checkpoint,
    }
