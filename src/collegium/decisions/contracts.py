"""External contracts and their ratification by the boards of the bodies they affect.

``contract_register`` (a board member of the registering body) opens one roll call per
affected body; each is an ordinary board decision, published with names and open to the
members' review window. The contract takes effect when every ratification is final, and is
refused as soon as one is rejected or overturned (``effects`` hooks below).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from collegium.decisions import effects
from collegium.decisions.models import Contract, Decision, Ratification
from collegium.decisions.services import MAX_TITLE, SYSTEM, _member, _notify_members
from collegium.decisions.transitions import CONTRACT, DecisionError, move
from collegium.elections.selectors import board_seats
from collegium.federation.models import Body
from collegium.federation.permissions import holds_seat, require
from collegium.record.services import actor_for, record_append, salted_digest

SUBJECT = "decisions.contract"
MAX_AFFECTED = 50


@transaction.atomic
def contract_register(
    *,
    user: Any,
    body: Body,
    counterparty: str,
    kind: str,
    title: str,
    terms: str,
    affected: Sequence[Body],
    closes_at: dt.datetime,
    value: Decimal | None = None,
    currency: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Contract:
    now = now or timezone.now()
    member = _member(user)
    require(holds_seat(member, body), f"only the board of {body.name} registers its contracts")
    errors: dict[str, str] = {}
    if not counterparty.strip():
        errors["counterparty"] = "name the outside party"
    if kind not in Contract.Kind.values:
        errors["kind"] = f"one of {', '.join(Contract.Kind.values)}, not {kind!r}"
    if not title.strip():
        errors["title"] = "a contract needs a title"
    elif len(title.strip()) > MAX_TITLE:
        errors["title"] = f"longer than {MAX_TITLE} characters"
    if not terms.strip():
        errors["terms"] = "write the terms: what is delivered, when, at what price"
    unique = list({b.pk: b for b in affected}.values())
    if not unique:
        errors["affected"] = (
            "a contract must name at least one affected body, whose board ratifies it"
        )
    elif len(unique) > MAX_AFFECTED:
        errors["affected"] = f"at most {MAX_AFFECTED} affected bodies"
    elif any(b.kind == "commission" for b in unique):
        errors["affected"] = "commissions do not ratify contracts; name the bodies they serve"
    else:
        allowed = set(body.ancestor_ids()) | {body.pk}
        beyond = [b.name for b in unique if b.pk not in allowed and b.parent_id != body.pk]
        if beyond:
            errors["affected"] = (
                f"{body.name} binds only itself, the bodies above it and those directly "
                f"below it; not {', '.join(beyond)}"
            )
    if value is not None and value < 0:
        errors["value"] = "the value cannot be negative"
    if value is not None and not (len(currency) == 3 and currency.isalpha()):
        errors["currency"] = "a three-letter currency code (e.g. RUB, EUR) with the value"
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "the contract ends before it starts"
    if closes_at <= now:
        errors["closes_at"] = "the ratification votes must close in the future"
    if errors:
        raise DecisionError("; ".join(f"{k}: {v}" for k, v in errors.items()))
    contract = Contract.objects.create(
        body=body,
        registered_by=member,
        counterparty=counterparty.strip(),
        kind=kind,
        title=title.strip(),
        terms=terms.strip(),
        value=value,
        currency=currency.upper(),
        starts_on=starts_on,
        ends_on=ends_on,
        created_at=now,
    )
    for affected_body in unique:
        decision = Decision.objects.create(
            body=affected_body,
            title=f"Ratify: {contract.title}"[:MAX_TITLE],
            text=f"Ratify the contract with {contract.counterparty} registered by {body.name}.",
            kind=Decision.Kind.ROLL_CALL,
            electorate_size=board_seats(affected_body).count(),
            opened_at=now,
            closes_at=closes_at,
            subject_kind=SUBJECT,
            subject_id=contract.public_id,
        )
        Ratification.objects.create(contract=contract, body=affected_body, decision=decision)
        _notify_members(
            affected_body,
            board_only=True,
            kind="contract.ratification",
            title=f"Ratify by {closes_at:%d %b %Y}: {contract.title} ({contract.counterparty})",
            url=f"/decisions/{decision.public_id}/",
            now=now,
        )
    record_append(
        kind="contract.registered",
        actor=actor_for(user),
        body=body,
        data={
            "contract": contract.public_id,
            "counterparty": contract.counterparty,
            "kind": kind,
            "terms_sha256": salted_digest(contract.salt, contract.terms),
            "value": str(value) if value is not None else None,
            "currency": contract.currency or None,
            "affected": sorted(b.code for b in unique),
            "ratifications_close": closes_at.isoformat(),
        },
    )
    return contract


def _on_final(decision: Decision, now: dt.datetime) -> None:
    contract = Contract.objects.select_for_update().get(public_id=decision.subject_id)
    if contract.state != Contract.State.RATIFYING:
        return
    states = set(contract.ratifications.values_list("decision__state", flat=True))
    if states != {Decision.State.FINAL}:
        return
    contract.state = move(CONTRACT, contract.state, Contract.State.IN_FORCE, "contract")
    contract.in_force_at = now
    contract.save(update_fields=["state", "in_force_at"])
    record_append(
        kind="contract.in_force",
        actor=SYSTEM,
        body=contract.body,
        data={"contract": contract.public_id},
    )


def _on_failed(decision: Decision, now: dt.datetime) -> None:
    contract = Contract.objects.select_for_update().get(public_id=decision.subject_id)
    if contract.state != Contract.State.RATIFYING:
        return
    contract.state = move(CONTRACT, contract.state, Contract.State.REFUSED, "contract")
    contract.save(update_fields=["state"])
    record_append(
        kind="contract.refused",
        actor=SYSTEM,
        body=contract.body,
        data={
            "contract": contract.public_id,
            "refused_by": decision.body.code,
            "decision": decision.public_id,
        },
    )


effects.register(
    SUBJECT,
    on_final=_on_final,
    on_failed=_on_failed,
    url=lambda public_id: f"/contracts/{public_id}/",
    label="the contract",
)
