"""Reads for proposals and decisions: lists, threads, petitions and record links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from collegium.decisions.models import (
    Amendment,
    Comment,
    Contract,
    Decision,
    Initiative,
    InitiativeSignature,
    Meeting,
    Proposal,
    ProposalVersion,
    Ratification,
    ReferendumRollEntry,
    ReviewSignature,
    RollCallVote,
)
from collegium.elections.models import Seat
from collegium.federation.models import Body, Member
from collegium.federation.pending import PendingItem


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


def body_proposals(
    body: Body, state: str | None = None, *, counts: bool = True
) -> QuerySet[Proposal]:
    """The body's proposals, newest first, with the number of versions and comments
    counted in the same query (``counts``). A paged list passes ``counts=False`` and calls
    ``count_for_page``: counting every row before the sort or offset is what makes deep
    pages slow."""
    proposals = Proposal.objects.filter(body=body).select_related("author")
    if state:
        proposals = proposals.filter(state=state)
    if counts:
        proposals = proposals.annotate(
            version_count=_count_of(ProposalVersion), comment_count=_count_of(Comment)
        )
    return proposals.order_by("-created_at", "-id")


def count_for_page(proposals: list[Proposal]) -> None:
    """Set ``version_count`` and ``comment_count`` on one page of proposals, in one query."""
    counts = {
        row["pk"]: row
        for row in Proposal.objects.filter(pk__in=[p.pk for p in proposals])
        .annotate(version_count=_count_of(ProposalVersion), comment_count=_count_of(Comment))
        .values("pk", "version_count", "comment_count")
    }
    for proposal in proposals:
        row = counts.get(proposal.pk, {})
        proposal.version_count = row.get("version_count", 0)  # type: ignore[attr-defined]
        proposal.comment_count = row.get("comment_count", 0)  # type: ignore[attr-defined]


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


# ------------------------------------------------------------- agendas and members' lists


def body_initiatives(body: Body, state: str | None = None) -> QuerySet[Initiative]:
    """Initiatives started in the body or now before its board."""
    items = Initiative.objects.filter(Q(body=body) | Q(current_body=body)).select_related(
        "body", "current_body", "author"
    )
    if state:
        items = items.filter(state=state)
    return items.annotate(signature_count=_count_of(InitiativeSignature, "initiative")).order_by(
        "-created_at", "-id"
    )


def initiative_by_public_id(public_id: str) -> Initiative | None:
    return (
        Initiative.objects.select_related("body", "current_body", "author", "proposal")
        .filter(public_id=public_id)
        .first()
    )


def body_contracts(body: Body) -> QuerySet[Contract]:
    """Contracts the body registered or must ratify."""
    return (
        Contract.objects.filter(Q(body=body) | Q(ratifications__body=body))
        .distinct()
        .select_related("body")
        .order_by("-created_at", "-id")
    )


def contract_by_public_id(public_id: str) -> Contract | None:
    return (
        Contract.objects.select_related("body", "registered_by").filter(public_id=public_id).first()
    )


def contract_ratifications(contract: Contract) -> list[Ratification]:
    return list(contract.ratifications.select_related("body", "decision").order_by("body__path"))


def body_meetings(body: Body) -> QuerySet[Meeting]:
    return Meeting.objects.filter(body=body).order_by("-starts_at", "-id")


def meeting_by_public_id(public_id: str) -> Meeting | None:
    return Meeting.objects.select_related("body", "called_by").filter(public_id=public_id).first()


def agenda_items(body: Body, now: dt.datetime) -> list[PendingItem]:
    """What waits on the body's board here: initiatives (mandatory, with their deadline),
    proposals under discussion, and roll calls still open (ratifications among them)."""
    items: list[PendingItem] = []
    initiatives = {
        i.proposal_id: i
        for i in Initiative.objects.filter(
            current_body=body, state=Initiative.State.ON_AGENDA
        ).select_related("body")
    }
    for initiative in initiatives.values():
        assert initiative.deadline is not None
        items.append(
            PendingItem(
                kind="initiative",
                title=initiative.title,
                url=f"/initiatives/{initiative.public_id}/",
                since=initiative.reached_at or initiative.created_at,
                due=initiative.deadline,
                overdue=now >= initiative.deadline,
                note=(
                    "initiative of the members"
                    if initiative.body_id == body.pk
                    else f"initiative of {initiative.body.name}, gone up unanswered"
                ),
                mandatory=True,
            )
        )
    for proposal in Proposal.objects.filter(
        body=body, state=Proposal.State.DELIBERATION, route=Proposal.Route.BOARD
    ).exclude(pk__in=list(initiatives)):
        items.append(
            PendingItem(
                kind="proposal",
                title=proposal.title,
                url=f"/proposals/{proposal.public_id}/",
                since=proposal.created_at,
                note="proposal under discussion",
            )
        )
    for decision in Decision.objects.filter(
        body=body, state=Decision.State.VOTING, kind=Decision.Kind.ROLL_CALL
    ):
        items.append(
            PendingItem(
                kind="contract" if decision.subject_kind == "decisions.contract" else "roll_call",
                title=decision.title,
                url=f"/decisions/{decision.public_id}/",
                since=decision.opened_at,
                due=decision.closes_at,
                overdue=now >= decision.closes_at,
                note="roll call open",
            )
        )
    return items


def member_items(member: Member, now: dt.datetime) -> list[PendingItem]:
    """Votes waiting on the member: open roll calls of boards they sit on and open
    referendums of their bodies that they have not voted in; initiatives collecting in
    their bodies that they have not signed."""
    from collegium.federation.selectors import member_bodies

    bodies = [b.pk for b in member_bodies(member) if b.kind != "commission"]
    items: list[PendingItem] = []
    seats = Seat.objects.filter(
        holder=member,
        role="board",
        vacated_on__isnull=True,
        term_start__lte=now.date(),
        term_end__gte=now.date(),
    ).values("body_id")
    roll_calls = (
        Decision.objects.filter(
            body__in=seats, kind=Decision.Kind.ROLL_CALL, state=Decision.State.VOTING
        )
        .exclude(roll_call__member=member)
        .select_related("body")
    )
    referendums = (
        Decision.objects.filter(
            body__in=bodies,
            kind__in=[Decision.Kind.REFERENDUM, Decision.Kind.ALTERNATIVES],
            state=Decision.State.VOTING,
        )
        .exclude(referendum_roll__member=member)
        .select_related("body")
    )
    for decision, note in [(d, "your vote in the roll call") for d in roll_calls] + [
        (d, "your secret ballot") for d in referendums
    ]:
        items.append(
            PendingItem(
                kind=decision.kind,
                title=f"{decision.title} ({decision.body.name})",
                url=f"/decisions/{decision.public_id}/",
                since=decision.opened_at,
                due=decision.closes_at,
                overdue=now >= decision.closes_at,
                note=note,
            )
        )
    for initiative in (
        Initiative.objects.filter(
            body__in=bodies, state=Initiative.State.COLLECTING, collect_until__gt=now
        )
        .exclude(signatures__member=member)
        .select_related("body")
        .annotate(signature_count=_count_of(InitiativeSignature, "initiative"))
        .order_by("collect_until")[:20]
    ):
        signed = initiative.signature_count
        items.append(
            PendingItem(
                kind="initiative",
                title=f"{initiative.title} ({initiative.body.name})",
                url=f"/initiatives/{initiative.public_id}/",
                since=initiative.created_at,
                due=initiative.collect_until,
                note=f"an initiative you could sign: {signed} of "
                f"{initiative.signatures_needed} signatures",
            )
        )
    return items
