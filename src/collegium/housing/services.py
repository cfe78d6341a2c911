"""Writes for housing. Each is one transaction with its record entry.

The register (``dwelling_register``, ``dwelling_update``, ``occupancy_record``,
``occupancy_end``, ``dwellings_import``) is kept by the body's board or the housing
commission serving it. The waiting list (``application_submit``, ``application_withdraw``)
belongs to the members; its order comes from the body's policy (``policy_set``, the board).
An allocation (``allocation_propose``) is a board decision by roll call: when the decision
becomes final the household moves in (``allocation_final``); when it fails, the allocation
lapses (``allocation_failed``). ``housing_sweep`` ends occupancies whose end date passed.

Record entries name members by their opaque id and dwellings by their code; addresses and
needs notes are kept out of the record (a hash of the address only).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from collegium.federation.models import Body, Member
from collegium.federation.permissions import belongs_to, holds_seat, member_of, require
from collegium.housing.models import (
    Allocation,
    Application,
    Condition,
    Dwelling,
    DwellingState,
    HousingPolicy,
    Occupancy,
)
from collegium.housing.permissions import housing_commission, manages_housing
from collegium.housing.scoring import WeightError, parse_weights
from collegium.housing.transitions import ALLOCATION, APPLICATION, DWELLING, move
from collegium.record.services import Actor, actor_for, record_append, salted_digest

SYSTEM = Actor(id="system", role="system")
SUBJECT_KIND = "housing.allocation"
MAX_HOUSEHOLD = 30
MAX_ROOMS = 50
MAX_AREA = Decimal("10000")
MAX_NOTE = 4000
RANK_NOTICE = 5  # places moved by a policy change that earn the applicant a notice


class HousingError(ValueError):
    """Bad input or not possible now; ``errors`` names the field of each problem."""

    def __init__(self, errors: dict[str, str] | str) -> None:
        self.errors = errors if isinstance(errors, dict) else {"__all__": errors}
        super().__init__("; ".join(self.errors.values()))


def _member(user: Any) -> Member:
    member = member_of(user)
    require(member is not None, "only members take part in housing")
    assert member is not None
    return member


def _require_manager(user: Any, body: Body) -> None:
    require(
        manages_housing(member_of(user), body),
        f"only the board of {body.name} or its housing commission keeps its housing register",
    )


# ------------------------------------------------------------------------------ input


def _text(errors: dict[str, str], name: str, value: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        errors[name] = f"{label} is required."
    elif len(value) > limit:
        errors[name] = f"{label} is longer than {limit} characters."
    return value


def _int(errors: dict[str, str], name: str, value: object, label: str, low: int, high: int) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        errors[name] = f"{label}: give a whole number from {low} to {high}."
        return 0
    if not low <= number <= high:
        errors[name] = f"{label} must be from {low} to {high}, not {number}."
    return number


def _area(errors: dict[str, str], value: object) -> Decimal:
    try:
        area = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        errors["area_m2"] = "Area: give the floor area in square metres, like 54.5."
        return Decimal(0)
    if not area.is_finite() or area <= 0 or area > MAX_AREA:
        errors["area_m2"] = f"Area must be more than 0 and at most {MAX_AREA} m²."
    elif area != area.quantize(Decimal("0.1")):
        errors["area_m2"] = "Area: one decimal place at most, like 54.5."
    return area


def _choice(errors: dict[str, str], name: str, value: str, choices: list[str], label: str) -> str:
    if value not in choices:
        errors[name] = f"{label} must be one of {', '.join(choices)}, not {value!r}."
    return value


def clean_dwelling(raw: dict[str, Any], *, creating: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """Check a dwelling's fields; returns the clean values and the errors by field."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    if creating:
        code = _text(errors, "code", raw.get("code", ""), "Code", 40)
        if code and not all(c.isalnum() or c in "-_." for c in code):
            errors["code"] = "Code: letters, digits, '-', '_' and '.' only."
        values["code"] = code
    values["address"] = _text(errors, "address", raw.get("address", ""), "Address", 300)
    values["area_m2"] = _area(errors, raw.get("area_m2", ""))
    values["rooms"] = _int(errors, "rooms", raw.get("rooms", ""), "Rooms", 1, MAX_ROOMS)
    values["condition"] = _choice(
        errors, "condition", raw.get("condition", "") or "good", Condition.values, "Condition"
    )
    note = (raw.get("condition_note") or "").strip()
    if len(note) > MAX_NOTE:
        errors["condition_note"] = f"The note on the condition is longer than {MAX_NOTE}."
    if values["condition"] in (Condition.POOR, Condition.UNFIT) and not note:
        errors["condition_note"] = "Say what is wrong when the condition is poor or unfit."
    values["condition_note"] = note
    if raw.get("state"):
        values["state"] = _choice(
            errors,
            "state",
            raw["state"],
            [DwellingState.VACANT, DwellingState.UNDER_REPAIR],
            "State (occupancy is recorded separately)",
        )
    return values, errors


# ---------------------------------------------------------------------------- register


def _dwelling_data(d: Dwelling) -> dict[str, Any]:
    return {
        "dwelling": d.code,
        "address_sha256": salted_digest(d.salt, d.address),
        "area_m2": str(d.area_m2),
        "rooms": d.rooms,
        "condition": d.condition,
        "state": d.state,
    }


@transaction.atomic
def dwelling_register(
    *, user: Any, body: Body, now: dt.datetime | None = None, **raw: Any
) -> Dwelling:
    now = now or timezone.now()
    _require_manager(user, body)
    values, errors = clean_dwelling(raw, creating=True)
    if body.kind == "commission":
        errors["body"] = "Dwellings are kept by a workplace or union, not by a commission."
    if values.get("code") and Dwelling.objects.filter(code=values["code"]).exists():
        errors["code"] = f"There is already a dwelling with the code {values['code']}."
    if errors:
        raise HousingError(errors)
    dwelling = Dwelling.objects.create(body=body, created_at=now, updated_at=now, **values)
    record_append(
        kind="housing.dwelling_registered",
        actor=actor_for(user),
        body=body,
        data=_dwelling_data(dwelling),
    )
    return dwelling


@transaction.atomic
def dwelling_update(
    *, user: Any, dwelling: Dwelling, now: dt.datetime | None = None, **raw: Any
) -> Dwelling:
    """Change a dwelling's details, condition, or vacant ↔ under repair."""
    now = now or timezone.now()
    dwelling = Dwelling.objects.select_for_update().get(pk=dwelling.pk)
    _require_manager(user, dwelling.body)
    values, errors = clean_dwelling(raw, creating=False)
    if "state" in values and dwelling.state == DwellingState.OCCUPIED:
        if values["state"] != DwellingState.OCCUPIED:
            errors["state"] = "The dwelling is occupied: end the occupancy first."
        values.pop("state")
    if (
        values.get("state") == DwellingState.UNDER_REPAIR
        and dwelling.allocations.filter(state=Allocation.State.VOTING).exists()
    ):
        errors["state"] = "An allocation of this dwelling is before the board."
    if errors:
        raise HousingError(errors)
    before = dwelling.state
    changed = [k for k, v in values.items() if getattr(dwelling, k) != v]
    if not changed:
        raise HousingError("Nothing changed.")
    if values.get("state", dwelling.state) != dwelling.state:
        values["state"] = move(DWELLING, dwelling.state, values["state"], "dwelling")
    for k, v in values.items():
        setattr(dwelling, k, v)
    dwelling.updated_at = now
    dwelling.save()
    record_append(
        kind="housing.dwelling_updated",
        actor=actor_for(user),
        body=dwelling.body,
        data={**_dwelling_data(dwelling), "changed": sorted(changed)},
    )
    if before != DwellingState.VACANT and dwelling.state == DwellingState.VACANT:
        _vacancy_notice(dwelling, now)
    return dwelling


def _parse_date(errors: dict[str, str], name: str, value: object, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        errors[name] = f"{label}: give a date as YYYY-MM-DD."
        return None


@transaction.atomic
def occupancy_record(
    *,
    user: Any,
    dwelling: Dwelling,
    head: Member,
    household_size: object,
    since: object,
    until: object = None,
    now: dt.datetime | None = None,
) -> Occupancy:
    """Record the household living in a dwelling (as it is, e.g. when the register
    is first filled in); the dwelling becomes occupied."""
    now = now or timezone.now()
    dwelling = Dwelling.objects.select_for_update().get(pk=dwelling.pk)
    _require_manager(user, dwelling.body)
    errors: dict[str, str] = {}
    size = _int(errors, "household_size", household_size, "Household size", 1, MAX_HOUSEHOLD)
    start = _parse_date(errors, "since", since, "Since")
    if start is None and "since" not in errors:
        errors["since"] = "Since: give the date the household moved in."
    end = _parse_date(errors, "until", until, "Until")
    if start and end and end <= start:
        errors["until"] = "Until must be after since."
    if not head.active:
        errors["head"] = "The head of household is not an active member."
    if dwelling.occupancies.filter(ended=False).exists():
        errors["dwelling"] = f"{dwelling.code} is occupied: end that occupancy first."
    if dwelling.allocations.filter(state=Allocation.State.VOTING).exists():
        errors["dwelling"] = f"An allocation of {dwelling.code} is before the board."
    if errors:
        raise HousingError(errors)
    assert start is not None
    occupancy = Occupancy.objects.create(
        dwelling=dwelling, head=head, household_size=size, since=start, until=end, created_at=now
    )
    dwelling.state = move(DWELLING, dwelling.state, DwellingState.OCCUPIED, "dwelling")
    dwelling.updated_at = now
    dwelling.save(update_fields=["state", "updated_at"])
    record_append(
        kind="housing.occupancy_recorded",
        actor=actor_for(user),
        body=dwelling.body,
        data={
            "dwelling": dwelling.code,
            "head": head.public_id,
            "household_size": size,
            "since": start.isoformat(),
            "until": end.isoformat() if end else None,
        },
    )
    return occupancy


def _end(occupancy: Occupancy, on: dt.date, actor: Actor, now: dt.datetime, why: str) -> None:
    dwelling = Dwelling.objects.select_for_update().get(pk=occupancy.dwelling_id)
    occupancy.ended = True
    occupancy.until = on
    occupancy.save(update_fields=["ended", "until"])
    dwelling.state = move(DWELLING, dwelling.state, DwellingState.VACANT, "dwelling")
    dwelling.updated_at = now
    dwelling.save(update_fields=["state", "updated_at"])
    record_append(
        kind="housing.occupancy_ended",
        actor=actor,
        body=dwelling.body,
        data={
            "dwelling": dwelling.code,
            "head": occupancy.head.public_id,
            "until": on.isoformat(),
            "why": why,
        },
    )
    _vacancy_notice(dwelling, now)


@transaction.atomic
def occupancy_end(
    *, user: Any, occupancy: Occupancy, on: object = None, now: dt.datetime | None = None
) -> Occupancy:
    """The household has moved out; the dwelling is vacant."""
    now = now or timezone.now()
    occupancy = Occupancy.objects.select_for_update().select_related("head").get(pk=occupancy.pk)
    _require_manager(user, occupancy.dwelling.body)
    errors: dict[str, str] = {}
    day = _parse_date(errors, "on", on, "Moved out on") or timezone.localdate(now)
    if occupancy.ended:
        errors["__all__"] = "This occupancy has already ended."
    elif day < occupancy.since:
        errors["on"] = "The household cannot move out before it moved in."
    if errors:
        raise HousingError(errors)
    _end(occupancy, day, actor_for(user), now, "moved out")
    return occupancy


def _managers(body: Body) -> list[Member]:
    from collegium.elections.selectors import board_seats
    from collegium.federation.selectors import commission_members

    members = {s.holder_id: s.holder for s in board_seats(body)}
    commission = housing_commission(body)
    if commission is not None:
        for m in commission_members(commission):
            members.setdefault(m.pk, m)
    return list(members.values())


def _vacancy_notice(dwelling: Dwelling, now: dt.datetime) -> None:
    """Tell the board (and the housing commission) that a dwelling is vacant while people
    wait."""
    from collegium.notifications.services import notify

    waiting = Application.objects.filter(body=dwelling.body, state=Application.State.ACTIVE).count()
    if not waiting or dwelling.condition == Condition.UNFIT:
        return
    notify(
        members=_managers(dwelling.body),
        kind="housing.vacant",
        title=(
            f"Dwelling {dwelling.code} is vacant; {waiting} "
            f"{'person is' if waiting == 1 else 'people are'} on the waiting list"
        ),
        url=f"/dwellings/{dwelling.code}/",
        now=now,
    )


# ------------------------------------------------------------------------------ policy


@transaction.atomic
def policy_set(
    *,
    user: Any,
    body: Body,
    weights: dict[str, Any],
    reason: str = "",
    now: dt.datetime | None = None,
) -> HousingPolicy:
    """The board sets the weights of the need score; the old policy stays as history."""
    now = now or timezone.now()
    member = _member(user)
    require(holds_seat(member, body), f"only the board of {body.name} sets its housing policy")
    try:
        parsed = parse_weights(weights)
    except WeightError as exc:
        raise HousingError(exc.errors) from None
    if len(reason) > MAX_NOTE:
        raise HousingError({"reason": f"The reason is longer than {MAX_NOTE} characters."})
    before = _places(body, now)
    policy = HousingPolicy(
        body=body,
        w_crowding=parsed.w_crowding,
        w_conditions=parsed.w_conditions,
        w_waiting=parsed.w_waiting,
        w_unfit=parsed.w_unfit,
        no_dwelling_crowding=parsed.no_dwelling_crowding,
        reason=reason.strip(),
        set_by=member,
        set_at=now,
    )
    entry = record_append(
        kind="housing.policy_set",
        actor=actor_for(user),
        body=body,
        data={
            "w_crowding": str(parsed.w_crowding),
            "w_conditions": str(parsed.w_conditions),
            "w_waiting": str(parsed.w_waiting),
            "w_unfit": str(parsed.w_unfit),
            "no_dwelling_crowding": str(parsed.no_dwelling_crowding),
            "reason_sha256": salted_digest(policy.salt, policy.reason),
        },
    )
    policy.record_index = entry.index
    policy.save()
    _tell_who_moved(body, before, now)
    return policy


def _places(body: Body, now: dt.datetime) -> dict[int, int]:
    from collegium.housing.selectors import waiting_list

    return {r.key.member_id: r.rank for r in waiting_list(body, now).rows}


def _tell_who_moved(body: Body, before: dict[int, int], now: dt.datetime) -> None:
    """After a change of policy, tell each applicant whose place moved by at least
    ``RANK_NOTICE`` places (up or down) where they stand now."""
    from collegium.notifications.services import notify

    after = _places(body, now)
    moved: dict[tuple[int, int], list[int]] = {}
    for member_id, place in after.items():
        was = before.get(member_id)
        if was is not None and abs(was - place) >= RANK_NOTICE:
            moved.setdefault((was, place), []).append(member_id)
    for (was, place), ids in moved.items():
        notify(
            members=Member.objects.filter(pk__in=ids),
            kind="housing.place_changed",
            title=(
                f"New housing policy at {body.name}: your place on the waiting list is "
                f"{place} (was {was})"
            ),
            url=f"/bodies/{body.code}/housing/list/#me",
            now=now,
        )


# ------------------------------------------------------------------------ waiting list


@transaction.atomic
def application_submit(
    *,
    user: Any,
    body: Body,
    household_size: object,
    current_dwelling: str = "",
    current_rooms: object = None,
    needs_note: str = "",
    now: dt.datetime | None = None,
) -> Application:
    """A member puts their household on a body's waiting list (one active application
    per member and body). ``current_dwelling`` is a dwelling code from the register;
    otherwise ``current_rooms`` says how many rooms they have now (none: no home)."""
    now = now or timezone.now()
    member = _member(user)
    require(belongs_to(member, body), f"only members of {body.name} join its waiting list")
    errors: dict[str, str] = {}
    if body.kind == "commission":
        errors["body"] = "A commission keeps no waiting list."
    size = _int(errors, "household_size", household_size, "Household size", 1, MAX_HOUSEHOLD)
    dwelling = None
    code = (current_dwelling or "").strip()
    rooms: int | None = None
    if code:
        dwelling = Dwelling.objects.filter(code=code).first()
        if dwelling is None:
            errors["current_dwelling"] = f"There is no dwelling {code!r} on the register."
        if current_rooms not in (None, ""):
            errors["current_rooms"] = (
                "Give either the dwelling on the register or the rooms you have, not both."
            )
    elif current_rooms not in (None, ""):
        rooms = _int(errors, "current_rooms", current_rooms, "Rooms you have now", 1, MAX_ROOMS)
    if len(needs_note) > MAX_NOTE:
        errors["needs_note"] = f"The note is longer than {MAX_NOTE} characters."
    if Application.objects.filter(
        body=body, member=member, state=Application.State.ACTIVE
    ).exists():
        errors["__all__"] = f"You are already on the waiting list of {body.name}."
    if errors:
        raise HousingError(errors)
    try:
        with transaction.atomic():
            application = Application.objects.create(
                body=body,
                member=member,
                household_size=size,
                current_dwelling=dwelling,
                current_rooms=rooms,
                needs_note=needs_note.strip(),
                applied_at=now,
            )
    except IntegrityError:
        raise HousingError(f"You are already on the waiting list of {body.name}.") from None
    record_append(
        kind="housing.applied",
        actor=actor_for(user),
        body=body,
        data={
            "application": application.public_id,
            "household_size": size,
            "current_dwelling": dwelling.code if dwelling else None,
            "current_rooms": rooms,
        },
    )
    return application


@transaction.atomic
def application_withdraw(
    *, user: Any, application: Application, now: dt.datetime | None = None
) -> Application:
    now = now or timezone.now()
    member = _member(user)
    application = Application.objects.select_for_update().get(pk=application.pk)
    require(member.pk == application.member_id, "only the applicant withdraws an application")
    if application.state != Application.State.ACTIVE:
        raise HousingError(f"The application is already {application.get_state_display()}.")
    if application.allocations.filter(state=Allocation.State.VOTING).exists():
        raise HousingError(
            "An allocation to you is before the board; it lapses if you withdraw, "
            "so ask the board first."
        )
    application.state = move(
        APPLICATION, application.state, Application.State.WITHDRAWN, "application"
    )
    application.closed_at = now
    application.save(update_fields=["state", "closed_at"])
    record_append(
        kind="housing.withdrawn",
        actor=actor_for(user),
        body=application.body,
        data={"application": application.public_id},
    )
    return application


# -------------------------------------------------------------------------- allocation


@transaction.atomic
def allocation_propose(
    *,
    user: Any,
    dwelling: Dwelling,
    application: Application,
    reason: str = "",
    closes_at: dt.datetime,
    now: dt.datetime | None = None,
) -> Allocation:
    """A board member proposes "allocate dwelling D to applicant A" and opens the
    board's roll call on it. Passing over anyone higher on the list needs a reason."""
    from collegium.decisions import services as decisions
    from collegium.decisions.services import DecisionError
    from collegium.housing.selectors import waiting_list

    now = now or timezone.now()
    member = _member(user)
    dwelling = Dwelling.objects.select_for_update().get(pk=dwelling.pk)
    application = Application.objects.select_for_update().get(pk=application.pk)
    body = dwelling.body
    require(holds_seat(member, body), f"only the board of {body.name} allocates its dwellings")
    errors: dict[str, str] = {}
    if application.body_id != body.pk:
        errors["application"] = f"The applicant is on another body's list, not {body.name}'s."
    elif application.state != Application.State.ACTIVE:
        errors["application"] = f"The application is {application.get_state_display().lower()}."
    elif application.allocations.filter(state=Allocation.State.VOTING).exists():
        errors["application"] = "An allocation to this applicant is already before the board."
    if dwelling.state == DwellingState.OCCUPIED:
        errors["dwelling"] = f"{dwelling.code} is occupied."
    elif dwelling.condition == Condition.UNFIT:
        errors["dwelling"] = f"{dwelling.code} is unfit to live in: repair it first."
    elif dwelling.state != DwellingState.VACANT:
        errors["dwelling"] = f"{dwelling.code} is {dwelling.get_state_display().lower()}."
    elif dwelling.allocations.filter(state=Allocation.State.VOTING).exists():
        errors["dwelling"] = f"An allocation of {dwelling.code} is already before the board."
    if closes_at <= now:
        errors["closes_at"] = "The roll call must close in the future."
    rank = skipped = 0
    score = ""
    if "application" not in errors:
        listing = waiting_list(body, now)
        row = listing.place_of(application.pk)
        assert row is not None
        rank, score = row.rank, str(row.terms.score)
        # Those ahead who are not already being allocated another dwelling are skipped.
        skipped = sum(1 for r in listing.rows[: row.rank - 1] if r.key.pk not in listing.pending)
        if skipped and not reason.strip():
            errors["reason"] = (
                f"This passes over {skipped} {'person' if skipped == 1 else 'people'} "
                "higher on the list: say why."
            )
    if len(reason) > MAX_NOTE:
        errors["reason"] = f"The reason is longer than {MAX_NOTE} characters."
    if errors:
        raise HousingError(errors)
    allocation = Allocation.objects.create(
        body=body,
        dwelling=dwelling,
        application=application,
        proposed_by=member,
        rank=rank,
        skipped=skipped,
        score=score,
        reason=reason.strip(),
        created_at=now,
    )
    text = (
        f"Allocate dwelling {dwelling.code} ({dwelling.rooms} rooms, {dwelling.area_m2} m²) "
        f"to the applicant at place {rank} of the waiting list (need score {score}, "
        f"household of {application.household_size})."
    )
    if skipped:
        text += f"\n\nThis passes over {skipped} people higher on the list. Why: {reason.strip()}"
    try:
        proposal = decisions.proposal_submit(
            user=user,
            body=body,
            title=f"Allocate dwelling {dwelling.code}",
            text=text,
            rationale=reason.strip(),
            scope="housing",
            subject_kind=SUBJECT_KIND,
            subject_id=allocation.public_id,
            now=now,
        )
        decision = decisions.roll_call_open(
            user=user, proposal=proposal, closes_at=closes_at, now=now
        )
    except DecisionError as exc:
        raise HousingError(str(exc)) from exc
    allocation.proposal = proposal
    allocation.decision = decision
    allocation.save(update_fields=["proposal", "decision"])
    record_append(
        kind="housing.allocation_proposed",
        actor=actor_for(user),
        body=body,
        data={
            "allocation": allocation.public_id,
            "dwelling": dwelling.code,
            "application": application.public_id,
            "rank": rank,
            "skipped": skipped,
            "score": score,
            "decision": decision.public_id,
            "reason_sha256": salted_digest(allocation.salt, allocation.reason),
        },
    )
    return allocation


def _allocation_of(decision: Any) -> Allocation | None:
    return (
        Allocation.objects.select_for_update()
        .filter(public_id=decision.subject_id, state=Allocation.State.VOTING)
        .first()
    )


def _lapse(allocation: Allocation, now: dt.datetime, why: str, decision: Any) -> None:
    allocation.state = move(ALLOCATION, allocation.state, Allocation.State.LAPSED, "allocation")
    allocation.lapse_reason = why
    allocation.decided_at = now
    allocation.save(update_fields=["state", "lapse_reason", "decided_at"])
    record_append(
        kind="housing.allocation_lapsed",
        actor=SYSTEM,
        body=allocation.body,
        data={
            "allocation": allocation.public_id,
            "decision": decision.public_id,
            "why": why,
        },
    )


def allocation_final(decision: Any, now: dt.datetime) -> None:
    """The board's decision is final: the household moves in, the dwelling is occupied
    and the application closes. Runs inside the decision's transaction."""
    allocation = _allocation_of(decision)
    if allocation is None:
        return
    dwelling = Dwelling.objects.select_for_update().get(pk=allocation.dwelling_id)
    application = Application.objects.select_for_update().get(pk=allocation.application_id)
    if dwelling.state != DwellingState.VACANT or dwelling.condition == Condition.UNFIT:
        _lapse(
            allocation,
            now,
            f"the dwelling is no longer vacant and fit ({dwelling.state})",
            decision,
        )
        return
    if application.state != Application.State.ACTIVE:
        _lapse(allocation, now, f"the application is {application.state}", decision)
        return
    allocation.state = move(ALLOCATION, allocation.state, Allocation.State.ALLOCATED, "allocation")
    allocation.decided_at = now
    allocation.save(update_fields=["state", "decided_at"])
    record_append(
        kind="housing.allocated",
        actor=SYSTEM,
        body=allocation.body,
        data={
            "allocation": allocation.public_id,
            "decision": decision.public_id,
            "dwelling": dwelling.code,
            "application": application.public_id,
        },
    )
    Occupancy.objects.create(
        dwelling=dwelling,
        head=application.member,
        household_size=application.household_size,
        since=timezone.localdate(now),
        allocation=allocation,
        created_at=now,
    )
    dwelling.state = move(DWELLING, dwelling.state, DwellingState.OCCUPIED, "dwelling")
    dwelling.updated_at = now
    dwelling.save(update_fields=["state", "updated_at"])
    record_append(
        kind="housing.occupancy_recorded",
        actor=SYSTEM,
        body=allocation.body,
        data={
            "dwelling": dwelling.code,
            "head": application.member.public_id,
            "household_size": application.household_size,
            "since": timezone.localdate(now).isoformat(),
            "until": None,
            "allocation": allocation.public_id,
        },
    )
    application.state = move(
        APPLICATION, application.state, Application.State.HOUSED, "application"
    )
    application.closed_at = now
    application.save(update_fields=["state", "closed_at"])
    record_append(
        kind="housing.application_closed",
        actor=SYSTEM,
        body=allocation.body,
        data={"application": application.public_id, "state": application.state},
    )
    from collegium.notifications.services import notify

    notify(
        members=[application.member],
        kind="housing.allocated",
        title=f"You are allocated dwelling {dwelling.code} ({dwelling.address})",
        url=f"/dwellings/{dwelling.code}/",
        now=now,
    )


def allocation_failed(decision: Any, now: dt.datetime) -> None:
    """The board rejected the allocation, or the members overturned it: it lapses."""
    allocation = _allocation_of(decision)
    if allocation is None:
        return
    _lapse(allocation, now, f"the decision is {decision.state}", decision)


# ---------------------------------------------------------------------------- sweep


def housing_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Idempotent: end occupancies whose end date has passed (the dwelling falls vacant
    and the board hears of it when people wait)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    ended = 0
    for pk in Occupancy.objects.filter(ended=False, until__lt=today).values_list("pk", flat=True):
        with transaction.atomic():
            occupancy = Occupancy.objects.select_for_update().select_related("head").get(pk=pk)
            if occupancy.ended or occupancy.until is None or occupancy.until >= today:
                continue
            _end(occupancy, occupancy.until, SYSTEM, now, "the agreed end date passed")
            ended += 1
    return {"housing_occupancies_ended": ended}
