"""Reads for proposals and decisions: lists, threads, petitions and record links."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from collegium.decisions.models import (
    Amendment,
    Comment,
    Decision,
    Proposal,
    ProposalVersion,
    ReferendumRollEntry,
    ReviewSignature,
    RollCallVote,
)
from collegium.federation.models import Body, Member


def proposal_by_public_id(public_id: str) -> Proposal | None:
    return (
        Proposal.objects.select_related("body", "author", "author__workplace")
        .filter(public_id=public_id)
        .first()
    )


def decision_by_public_id(public_id: str) -> Decision | None:
    return (
        Decision.objects.select_related(
            "body", "proposal", "proposal__author", "version", "overturns"
        )
        .filter(public_id=public_id)
        .first()
    )


def amendment_by_public_id(public_id: str) -> Amendment | None:
    return (
        Amendment.objects.select_related("proposal", "proposal__body", "author")
        .filter(public_id=public_id)
        .first()
    )


def _count_of(model: type, field: str = "proposal") -> Coalesce:
    sub = (
        model.objects.filter(**{field: OuterRef("pk")})  # type: ignore[attr-defined]
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub), 0)


def body_proposals(body: Body, state: str | None = None) -> QuerySet[Proposal]:
    """The body's proposals, newest first, with the number of versions and comments
    (counted in the same query, so a list page does not grow with its length)."""
    proposals = Proposal.objects.filter(body=body).select_related("author")
    if state:
        proposals = proposals.filter(state=state)
    return proposals.annotate(
        version_count=_count_of(ProposalVersion), comment_count=_count_of(Comment)
    ).order_by("-created_at", "-id")


def body_decisions(body: Body, state: str | None = None) -> QuerySet[Decision]:
    """The body's decisions (overturned ones included), newest first."""
    decisions = Decision.objects.filter(body=body).select_related("proposal", "overturns")
    if state:
        decisions = decisions.filter(state=state)
    return decisions.order_by("-opened_at", "-id")


def proposal_versions(proposal: Proposal) -> list[ProposalVersion]:
    return list(proposal.versions.select_related("author").order_by("number"))


@dataclass(frozen=True)
class ThreadItem:
    comment: Comment
    depth: int


MAX_DEPTH = 6


def comment_thread(proposal: Proposal) -> list[ThreadItem]:
    """The discussion in reading order: each comment followed by its replies, indented
    (one query). Depth is capped for display; the reply relation is kept."""
    comments = list(
        Comment.objects.filter(proposal=proposal)
        .select_related("author")
        .order_by("created_at", "id")
    )
    children: dict[int | None, list[Comment]] = {}
    for c in comments:
        children.setdefault(c.parent_id, []).append(c)
    out: list[ThreadItem] = []

    def walk(parent: int | None, depth: int) -> None:
        for c in children.get(parent, []):
            out.append(ThreadItem(c, min(depth, MAX_DEPTH)))
            walk(c.pk, depth + 1)

    walk(None, 0)
    return out


def proposal_amendments(proposal: Proposal) -> list[Amendment]:
    return list(proposal.amendments.select_related("author").order_by("created_at", "id"))


def roll_call_votes(decision: Decision) -> list[RollCallVote]:
    return list(
        RollCallVote.objects.filter(decision=decision)
        .select_related("member")
        .order_by("member__family_name", "member__given_name")
    )


def referendum_turnout(decision: Decision) -> int:
    return ReferendumRollEntry.objects.filter(decision=decision).count()


def tracker_received(decision: Decision, code: str) -> bool:
    from collegium.decisions.models import ReferendumTracker

    return ReferendumTracker.objects.filter(decision=decision, code=code).exists()


def has_voted_in_referendum(decision: Decision, member: Member | None) -> bool:
    if member is None:
        return False
    return ReferendumRollEntry.objects.filter(decision=decision, member=member).exists()


@dataclass(frozen=True)
class Petition:
    signatures: int
    needed: int
    members: int
    pct: int
    signed_by_viewer: bool


def review_petition(decision: Decision, viewer: Member | None) -> Petition:
    """Signatures under the petition to overturn, against the charter's threshold
    (``overturn_petition_pct`` of the body's members, rounded up; at least one)."""
    from collegium.federation.charters import signatures_needed
    from collegium.federation.selectors import body_members, charter_as_dict

    members = body_members(decision.body).count()
    pct = int(charter_as_dict(decision.body)["overturn_petition_pct"])
    needed = signatures_needed(pct, members)
    signatures = ReviewSignature.objects.filter(decision=decision).count()
    signed = (
        viewer is not None
        and ReviewSignature.objects.filter(decision=decision, member=viewer).exists()
    )
    return Petition(signatures, needed, members, pct, signed)


def overturn_referendum(decision: Decision) -> Decision | None:
    return Decision.objects.filter(overturns=decision).first()


def record_entries_for(body: Body, public_id: str) -> QuerySet:  # type: ignore[type-arg]
    """Record entries of the body that name this proposal or decision."""
    from collegium.record.models import Entry

    return (
        Entry.objects.filter(body=body, payload__contains=f'"{public_id}"')
        .only("index", "kind", "recorded_at")
        .order_by("index")
    )
