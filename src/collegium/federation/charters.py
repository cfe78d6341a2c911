"""Charter fields: their meaning, allowed ranges and the federation's defaults."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class CharterField:
    name: str
    label: str
    help: str
    minimum: int
    maximum: int
    default: int
    unit: str


FIELDS: tuple[CharterField, ...] = (
    CharterField(
        "board_seats", "Board seats", "Seats on the body's board (collegium).", 1, 99, 7, "seats"
    ),
    CharterField(
        "delegate_seats",
        "Delegates to the parent body",
        "How many delegates the body elects to its parent body.",
        1,
        50,
        2,
        "delegates",
    ),
    CharterField(
        "max_months_away",
        "Time away from production",
        "Longest a seat-holder may work full time for a body before returning to production.",
        0,
        120,
        24,
        "months",
    ),
    CharterField("term_months", "Term length", "Length of a board term.", 1, 60, 24, "months"),
    CharterField(
        "term_limit",
        "Term limit",
        "Consecutive terms a member may serve on the same board.",
        1,
        20,
        2,
        "terms",
    ),
    CharterField(
        "production_worker_quota_pct",
        "Production-worker quota",
        "Share of board seats reserved for production workers; seats reserved on "
        "a board of n seats are ceil(pct × n / 100).",
        0,
        100,
        60,
        "%",
    ),
    CharterField(
        "recall_threshold_pct",
        "Recall threshold",
        "Share of the electorate whose signatures open a recall ballot.",
        1,
        100,
        10,
        "%",
    ),
    CharterField(
        "recall_window_days",
        "Recall petition window",
        "Days a recall petition may collect signatures before it lapses.",
        1,
        365,
        30,
        "days",
    ),
    CharterField(
        "recall_ballot_days",
        "Recall ballot length",
        "Days a recall ballot stays open once the threshold is reached.",
        1,
        90,
        14,
        "days",
    ),
    CharterField(
        "vacancy_countback",
        "Fill vacancies by countback",
        "1: a seat vacated by recall goes to the next candidate on a recount of the original "
        "ballots without the recalled member; 0: it waits for a by-election.",
        0,
        1,
        1,
        "(1 = yes, 0 = no)",
    ),
    CharterField(
        "initiative_threshold_pct",
        "Initiative threshold",
        "Share of members whose petition forces an item onto the board's agenda.",
        1,
        100,
        5,
        "%",
    ),
    CharterField(
        "overturn_petition_pct",
        "Petition to overturn",
        "Share of members whose signatures, within the review window, put a board "
        "decision to a referendum of the members.",
        1,
        100,
        5,
        "%",
    ),
    CharterField(
        "initiative_deadline_days",
        "Deadline for an initiative",
        "Days the board has to decide an item its members put on the agenda by initiative "
        "before it goes up to the parent body.",
        1,
        365,
        30,
        "days",
    ),
    CharterField(
        "criticism_agenda_pct",
        "Criticism onto the agenda",
        "Share of members whose co-signatures make a criticism a mandatory item of the "
        "board's agenda.",
        1,
        100,
        5,
        "%",
    ),
    CharterField(
        "moderation_appeal_pct",
        "Appeal against moderation",
        "Share of members whose petition puts a moderation act to a referendum.",
        1,
        100,
        5,
        "%",
    ),
    CharterField(
        "condition_response_days",
        "Response deadline for condition reports",
        "Days the responsible board has to answer a confirmed condition report with a remedy "
        "before it escalates.",
        1,
        365,
        14,
        "days",
    ),
    CharterField(
        "criticism_response_days",
        "Response deadline for criticism",
        "Days the addressed board has to answer before criticism escalates.",
        1,
        365,
        14,
        "days",
    ),
    CharterField(
        "review_window_days",
        "Review window for board decisions",
        "Days a board decision waits, open to a members' petition, before it is final.",
        0,
        365,
        10,
        "days",
    ),
)
FIELD_BY_NAME = {f.name: f for f in FIELDS}

DEFAULTS = {f.name: f.default for f in FIELDS}


def reserved_seats(quota_pct: int, seats: int) -> int:
    return math.ceil(quota_pct * seats / 100)


def signatures_needed(threshold_pct: int, electorate: int) -> int:
    """Signatures a petition needs: the charter's share of the electorate, rounded up,
    and never fewer than one."""
    return max(1, -(-threshold_pct * electorate // 100))


class CharterValueError(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def validate_value(name: str, value: object) -> int | None:
    """Check one charter value; ``None`` means "inherit from above"."""
    if name not in FIELD_BY_NAME:
        raise CharterValueError(name, "not a charter field")
    field = FIELD_BY_NAME[name]
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise CharterValueError(name, "must be a whole number")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise CharterValueError(name, f"must be a whole number, not {value!r}") from None
    if not field.minimum <= number <= field.maximum:
        raise CharterValueError(
            name,
            f"{number} is out of range: {field.label.lower()} must be between "
            f"{field.minimum} and {field.maximum} {field.unit}",
        )
    return number


# Text-list charter values, inherited like the numbers.
MODERATION_REASONS = "moderation_reasons"
DEFAULT_MODERATION_REASONS: tuple[str, ...] = (
    "Publishes a person's private data (address, health, family) without consent",
    "Threatens or incites violence against a person",
    "Insults or harasses a person for their sex, origin, religion or disability",
    "Advertising or spam unrelated to the federation's work",
    "Reveals how a named member voted in a secret ballot",
)
MAX_REASONS = 30
MAX_REASON_LENGTH = 200


def validate_reasons(value: object) -> list[str] | None:
    """A list of moderation reasons from a list or from text with one reason per line;
    ``None`` or empty inherits from above."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        items = value.splitlines()
    elif isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        raise CharterValueError(MODERATION_REASONS, "must be a list of reasons, one per line")
    reasons = [" ".join(item.split()) for item in items if item.strip()]
    if not reasons:
        return None
    if len(reasons) > MAX_REASONS:
        raise CharterValueError(MODERATION_REASONS, f"at most {MAX_REASONS} reasons")
    for number, reason in enumerate(reasons, 1):
        if len(reason) > MAX_REASON_LENGTH:
            raise CharterValueError(
                MODERATION_REASONS,
                f"reason {number} is {len(reason)} characters long; at most {MAX_REASON_LENGTH}",
            )
    if len(set(reasons)) != len(reasons):
        raise CharterValueError(MODERATION_REASONS, "a reason is listed twice")
    return reasons
