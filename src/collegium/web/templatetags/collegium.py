"""Small template helpers for the pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def indent_class(depth: int) -> str:
    return f"depth-{min(int(depth), 8)}"


@register.filter
def is_member_id(actor_id: str) -> bool:
    return str(actor_id).startswith("m_")


@register.filter
def charter_label(name: str) -> str:
    from collegium.federation.charters import FIELD_BY_NAME

    field = FIELD_BY_NAME.get(name)
    return field.label if field else name


@register.filter
def charter_unit(name: str) -> str:
    from collegium.federation.charters import FIELD_BY_NAME

    field = FIELD_BY_NAME.get(name)
    return field.unit if field else ""


#: Plain words for the kinds of record entry; the code stays beside them.
ENTRY_KINDS = {
    "criticism.published": "Criticism published",
    "criticism.edited": "Criticism edited before co-signing",
    "criticism.added_to": "Addition to a criticism",
    "criticism.cosigned": "Criticism co-signed",
    "criticism.answered": "Criticism answered by the board",
    "criticism.marked": "Answer marked by the critic or a co-signer",
    "criticism.escalated": "Criticism sent up to the board above",
    "criticism.overdue": "Criticism overdue at the congress",
    "criticism.hidden": "Criticism hidden by the moderation commission",
    "criticism.author_looked_at": "Anonymous author looked up by the moderation commission",
    "criticism.appeal_signed": "Appeal against moderation signed",
    "criticism.appeal_referendum": "Referendum on a moderation act opened",
    "criticism.shown_again": "Criticism shown again",
    "criticism.appeal_rejected": "Appeal against moderation rejected",
    "condition.reported": "Condition reported",
    "condition.photo_added": "Photos added to a condition report",
    "condition.confirmation": "Condition report confirmed by a co-worker",
    "condition.remedy_promised": "Remedy promised",
    "condition.remedy_done": "Remedy marked done",
    "condition.remedy_rejected": "Remedy rejected by the reporter",
    "condition.fixed": "Condition report fixed",
    "condition.not_fixed": "Not fixed, says the reporter",
    "condition.escalated": "Condition report escalated",
    "condition.hidden": "Condition report hidden",
    "condition.unhidden": "Condition report shown again",
    "contract.in_force": "Contract in force",
    "contract.refused": "Contract refused",
    "contract.registered": "Contract registered",
    "decision.alternatives_opened": "Ranked referendum opened",
    "initiative.decided": "Initiative decided",
    "initiative.escalated": "Initiative sent up: deadline missed",
    "initiative.lapsed": "Initiative lapsed",
    "initiative.on_agenda": "Initiative put on the board's agenda",
    "initiative.signed": "Initiative signed",
    "initiative.started": "Initiative started",
    "meeting.called": "Board meeting called",
    "meeting.held": "Board meeting held",
    "amendment.accepted": "Amendment accepted",
    "amendment.declined": "Amendment declined",
    "amendment.proposed": "Amendment proposed",
    "board.founded": "Founding board seated",
    "bodies.imported": "Bodies imported",
    "charter.changed": "Charter changed",
    "decision.closed": "Vote closed",
    "decision.final": "Decision final",
    "decision.referendum_opened": "Referendum opened",
    "decision.referendum_voted": "Referendum vote cast",
    "decision.review_signed": "Petition to overturn signed",
    "decision.roll_call_opened": "Roll call opened",
    "decision.roll_call_vote": "Roll-call vote",
    "election.called": "Election called",
    "election.cancelled": "Election cancelled",
    "election.counted": "Election counted",
    "election.nominated": "Candidate nominated",
    "election.nomination_accepted": "Nomination accepted",
    "election.nomination_cosigned": "Nomination co-signed",
    "election.voted": "Ballot cast",
    "election.voting_opened": "Voting opened",
    "mandate.adopted": "Mandate adopted",
    "mandate.delegate_voted": "Delegate's vote reported",
    "member.invited": "Member invited",
    "members.imported": "Members imported",
    "proposal.commented": "Comment on a proposal",
    "proposal.revised": "Proposal revised",
    "proposal.submitted": "Proposal put",
    "recall.ballot_opened": "Recall ballot opened",
    "recall.lapsed": "Recall petition lapsed",
    "recall.signed": "Recall petition signed",
    "recall.started": "Recall petition started",
    "recall.voted": "Recall vote cast",
    "recall.recalled": "Seat-holder recalled",
    "recall.rejected": "Recall rejected by the ballot",
    "seat.full_time": "Seat-holder left production for the seat",
    "seat.back_to_production": "Seat-holder back in production",
}


@register.filter
def entry_kind(kind: str) -> str:
    """A record entry's kind in plain words (``charter.changed`` → "Charter changed")."""
    kind = str(kind)
    if kind in ENTRY_KINDS:
        return ENTRY_KINDS[kind]
    return kind.replace(".", ": ").replace("_", " ").capitalize()


def _shown(value: Any, unit: str) -> str:
    if unit.startswith("(1 = yes"):
        return {1: "yes", 0: "no"}.get(value, str(value))
    return f"{value} {unit}".strip()


@register.filter
def charter_value(row: Any) -> str:
    """A charter row's value with its unit; yes/no rules read "yes" or "no"."""
    return _shown(row.value, row.unit)


@register.filter
def charter_value_of(value: Any, name: str) -> str:
    """A value of the charter rule ``name`` with its unit (for the history of changes)."""
    from collegium.federation.charters import FIELD_BY_NAME

    field = FIELD_BY_NAME.get(name)
    return _shown(value, field.unit if field else "")


KIND_LABELS = {
    "roll_call": "Roll call",
    "referendum": "Referendum",
    "alternatives": "Ranked referendum",
    "condition_report": "Conditions",
    "other": "Other business",
}


@register.filter
def kind_label(kind: str) -> str:
    """The kind of a pending item or agenda entry, in words."""
    return KIND_LABELS.get(kind) or kind.replace("_", " ").capitalize()
