"""Request and response shapes of the JSON API. Hashes are lowercase hex."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema


class Error(Schema):
    detail: str = Field(description="What went wrong, in words.")
    errors: Any = Field(
        None, description="Per-field errors where there are any (field name → message)."
    )


# ------------------------------------------------------------------------------ federation


class BodyRef(Schema):
    code: str
    name: str
    kind: str


class BodyListItem(Schema):
    code: str
    name: str
    kind: str
    parent_code: str | None
    depth: int
    member_count: int = Field(description="Active members belonging to the body, subtree included.")


class CategoryCount(Schema):
    code: str
    name: str
    count: int
    share: float = Field(description="Share of the body's members, 0 to 1.")


class CharterField(Schema):
    name: str
    label: str
    help: str
    unit: str
    value: int
    source: str = Field(
        description='"this body", the name of a body above, or "federation default".'
    )
    own: bool = Field(description="Whether the body itself sets this value.")
    min: int
    max: int


class Charter(Schema):
    body: BodyRef | None = Field(description="null for the federation's default charter.")
    fields: list[CharterField]
    can_change: bool = Field(description="Whether the caller may change this charter.")


class CharterPatch(Schema):
    changes: dict[str, Any] = Field(
        description="Charter field → new whole number, or null to inherit from above.",
        examples=[{"board_seats": 9}],
    )
    reason: str = Field("", description="Why the charter changes; kept with the change.")


class CharterChangeOut(Schema):
    changed_at: dt.datetime
    changed_by: str | None = Field(description="The member id of who changed it.")
    changes: dict[str, dict[str, int | None]] = Field(
        description='Field → {"from": old, "to": new}.'
    )
    reason: str
    record_index: int


class MemberSummary(Schema):
    public_id: str
    given_name: str
    family_name: str
    category: str
    workplace: BodyRef


class SeatOut(Schema):
    member: MemberSummary
    term_start: dt.date
    term_end: dt.date
    basis: str


class BodyDetail(Schema):
    code: str
    name: str
    kind: str
    depth: int
    parent: BodyRef | None
    ancestors: list[BodyRef] = Field(description="From the top of the tree down.")
    children: list[BodyRef] = Field(description="Bodies directly below, commissions apart.")
    commissions: list[BodyRef]
    member_count: int
    composition: list[CategoryCount]
    board: list[SeatOut] = Field(description="Current seat-holders of the body's board.")
    charter: list[CharterField] = Field(description="The effective charter.")


class MemberPage(Schema):
    count: int
    page: int
    page_size: int
    items: list[MemberSummary]


class HeldSeat(Schema):
    body: BodyRef
    role: str = Field(description='"board", or "delegate" of the body to its parent body.')
    term_start: dt.date
    term_end: dt.date


class MemberDetail(MemberSummary):
    joined_on: dt.date | None
    bodies: list[BodyRef] = Field(description="Workplace and every body above it, top first.")
    seats: list[HeldSeat] = Field(description="Board seats the member holds now.")


class Me(Schema):
    username: str
    is_operator: bool
    email: str
    member: MemberDetail | None


# ---------------------------------------------------------------------------------- record


class Actor(Schema):
    id: str
    role: str


class EntryOut(Schema):
    index: int
    kind: str
    body: str | None = Field(description="Code of the body the entry is about.")
    actor: Actor
    recorded_at: dt.datetime
    leaf_hash: str
    payload: dict[str, Any] = Field(description="The entry as JSON (canonical form: payload_text).")


class EntryPage(Schema):
    items: list[EntryOut]
    next_before: int | None = Field(
        description="Pass as ?before= for the next (older) page; null on the last page."
    )


class InclusionProof(Schema):
    tree_size: int
    root: str
    path: list[str] = Field(description="RFC 6962 audit path, leaf's sibling first.")


class EntryDetail(EntryOut):
    payload_text: str = Field(
        description="The exact canonical JSON that was hashed: leaf_hash = "
        "SHA-256(0x00 ‖ payload_text as UTF-8)."
    )
    proof: InclusionProof


class ConsistencyProof(Schema):
    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str] = Field(description="RFC 6962 consistency proof.")


class CheckpointOut(Schema):
    size: int
    root: str
    created_at: dt.datetime
    note: str = Field(description="The signed note (C2SP tlog-checkpoint), as published.")


class RecordHead(Schema):
    size: int
    root: str
    latest_checkpoint: CheckpointOut | None


# ---------------------------------------------------------------------------------- tokens


class TokenIn(Schema):
    name: str = Field(min_length=1, max_length=100, description="Where the token is used.")


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None
    active: bool


class TokenCreated(TokenOut):
    token: str = Field(description="The token itself. It is shown this once and never again.")
