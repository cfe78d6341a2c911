"""Referendums between competing alternatives: members rank them on a secret ballot and
Schulze's method (``collegium.tally``) orders them. The count sheet with the pairwise
table is published with the result, so anyone can redo it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from collegium.decisions.models import (
    Decision,
)
from collegium.decisions.services import (
    MAX_TITLE,
    _announce_referendum,
    _member,
    _secret_cast,
)
from collegium.decisions.transitions import DecisionError
from collegium.federation.models import Body
from collegium.federation.permissions import holds_seat, require
from collegium.federation.selectors import body_members
from collegium.record.services import actor_for, salted_digest

MIN_OPTIONS, MAX_OPTIONS, MAX_OPTION = 2, 20, 200


@transaction.atomic
def alternatives_open(
    *,
    user: Any,
    body: Body,
    title: str,
    text: str,
    options: Sequence[str],
    closes_at: dt.datetime,
    now: dt.datetime | None = None,
) -> Decision:
    """The board puts competing alternatives to the members."""
    now = now or timezone.now()
    member = _member(user)
    require(holds_seat(member, body), f"only the board of {body.name} schedules its referendums")
    cleaned = [" ".join(o.split()) for o in options if o.strip()]
    errors = []
    if not title.strip():
        errors.append("a referendum needs a title")
    if not MIN_OPTIONS <= len(cleaned) <= MAX_OPTIONS:
        errors.append(f"give between {MIN_OPTIONS} and {MAX_OPTIONS} alternatives, one per line")
    if len(set(cleaned)) != len(cleaned):
        errors.append("an alternative is listed twice")
    if any(len(o) > MAX_OPTION for o in cleaned):
        errors.append(f"an alternative is longer than {MAX_OPTION} characters")
    if closes_at <= now:
        errors.append("the vote must close in the future")
    if errors:
        raise DecisionError("; ".join(errors))
    decision = Decision.objects.create(
        body=body,
        title=title.strip()[:MAX_TITLE],
        text=text.strip(),
        kind=Decision.Kind.ALTERNATIVES,
        threshold="schulze",
        quorum="0",
        electorate_size=body_members(body).count(),
        opened_at=now,
        closes_at=closes_at,
        options=cleaned,
    )
    _announce_referendum(
        decision,
        actor=actor_for(user),
        kind="decision.alternatives_opened",
        data={"options_sha256": [salted_digest(decision.salt, o) for o in cleaned]},
        title=f"Rank the alternatives: {decision.title}",
        now=now,
    )
    return decision


def parse_ranking(values: Sequence[Any], options: int) -> list[int]:
    """A ranking from the form: option numbers (0-based) in order of preference; options
    left out are ranked below all ranked ones, equal among themselves."""
    ranking: list[int] = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise DecisionError(f"{value!r} is not an alternative's number") from None
        if not 0 <= number < options:
            raise DecisionError(f"there is no alternative {number + 1}")
        if number in ranking:
            raise DecisionError(f"alternative {number + 1} is ranked twice")
        ranking.append(number)
    if not ranking:
        raise DecisionError("rank at least one alternative")
    return ranking


@transaction.atomic
def alternatives_cast(
    *, user: Any, decision: Decision, ranking: Sequence[Any], now: dt.datetime | None = None
) -> str:
    """Rank secretly; returns the tracker."""
    return _secret_cast(
        user=user,
        decision=decision,
        kind=Decision.Kind.ALTERNATIVES,
        ballot=lambda locked: {"ranking": parse_ranking(ranking, len(locked.options or []))},
        now=now,
    )


def alternatives_count(decision: Decision) -> dict[str, Any]:
    """Schulze over the stored rankings; the outcome as stored on the decision."""
    from collegium.tally.model import BallotSet
    from collegium.tally.schulze import count_schulze

    options = list(decision.options or [])
    rankings = [
        list(r or [])
        for r in decision.referendum_ballots.order_by("key").values_list("ranking", flat=True)
    ]
    if not rankings:
        return {"ballots": 0, "ranking": [], "winner": None}
    depth = max(len(r) for r in rankings)
    padded = [r + [-1] * (depth - len(r)) for r in rankings]
    sheet = count_schulze(BallotSet(options, padded, title=decision.title))
    assert sheet.ranking is not None and sheet.pairwise is not None
    return {
        "ballots": len(rankings),
        "ranking": [i - 1 for i in sheet.ranking],
        "winner": sheet.ranking[0] - 1,
        "pairwise": sheet.pairwise,
        "strongest": sheet.strongest,
        "lots": [t.describe() for t in sheet.extra_ties],
        "seed": sheet.seed,
    }
