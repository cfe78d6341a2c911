"""Proposals, their versions and discussion, amendments, and decisions: board roll calls
(public, with names), referendums of the members (secret) and the review window.

Views parse the request, check permission and call the services of
``collegium.decisions``. A ``DecisionError`` or a service's ``PermissionDenied`` is shown
next to the form it came from, and nothing changes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collegium.decisions import effects, services
from collegium.decisions import selectors as dsel
from collegium.decisions.alternatives import alternatives_cast
from collegium.decisions.markdown import render_markdown, text_diff
from collegium.decisions.models import Amendment, Comment, Decision, Proposal
from collegium.decisions.services import DecisionError
from collegium.federation import permissions
from collegium.federation import selectors as fsel
from collegium.federation.permissions import PermissionDenied
from collegium.web import queries
from collegium.web.views import body_or_404, paginate

FILTERS: list[tuple[str, str, str]] = [
    # value, label, group
    *[(f"p-{v}", label, "Proposals") for v, label in Proposal.State.choices],
    *[(f"d-{v}", label, "Decisions") for v, label in Decision.State.choices],
]
MAX_TEXT = 100_000


# ------------------------------------------------------------------------------ helpers


def _proposal_or_404(public_id: str) -> Proposal:
    proposal = dsel.proposal_by_public_id(public_id)
    if proposal is None:
        raise Http404("There is no proposal with this id.")
    return proposal


def _decision_or_404(public_id: str) -> Decision:
    decision = dsel.decision_by_public_id(public_id)
    if decision is None:
        raise Http404("There is no decision with this id.")
    return decision


def _parse_when(value: str) -> dt.datetime | None:
    """A ``datetime-local`` (or ISO) value in the installation's time zone."""
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_current_timezone())
    return when


def _sentence(exc: Exception) -> str:
    text = str(exc).strip() or "This is not possible now"
    text = text[0].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _markdown(text: str) -> str:
    # Safe only because render_markdown sanitises its output (nh3, an allow-list).
    return mark_safe(render_markdown(text))  # noqa: S308


def _default_close(days: int) -> str:
    return (timezone.localtime() + dt.timedelta(days=days)).strftime("%Y-%m-%dT18:00")


# ------------------------------------------------------------------ a body's decisions


def _filter(value: str) -> tuple[str, str]:
    """``p-deliberation`` → ("proposals", "deliberation"); anything unknown: all."""
    known = {v for v, _, _ in FILTERS}
    if value not in known:
        return "", ""
    kind, _, state = value.partition("-")
    return ("proposals" if kind == "p" else "decisions"), state


@require_http_methods(["GET", "POST"])
def body_decisions(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    viewer = queries.member_viewer(request.user)
    may_propose = permissions.belongs_to(viewer, body)
    errors: list[str] = []
    status = 200
    values = {
        "title": "",
        "text": "",
        "rationale": "",
        "cost": "",
        "scope": "",
        "route": Proposal.Route.BOARD.value,
    }
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in values}
        cost: Decimal | None = None
        if values["cost"].strip():
            try:
                cost = Decimal(values["cost"].strip().replace(",", ""))
            except InvalidOperation:
                errors.append("Give the cost as a number, like 1200 or 1200.50.")
            else:
                if not cost.is_finite():
                    errors.append("Give the cost as a number, like 1200 or 1200.50.")
        if len(values["text"]) > MAX_TEXT or len(values["rationale"]) > MAX_TEXT:
            errors.append(f"Texts are limited to {MAX_TEXT:,} characters.")
        status = 400
        if not errors:
            try:
                proposal = services.proposal_submit(
                    user=request.user,
                    body=body,
                    title=values["title"],
                    text=values["text"],
                    rationale=values["rationale"],
                    scope=values["scope"][:200],
                    cost=cost,
                    route=values["route"],
                )
            except DecisionError as exc:
                errors.append(_sentence(exc))
            except PermissionDenied as exc:
                errors.append(_sentence(exc))
                status = 403
            else:
                messages.success(
                    request,
                    "Your proposal is submitted and on the public record. "
                    "Members can discuss and amend it now.",
                )
                return redirect("proposal", proposal.public_id)
    chosen = request.GET.get("state", "")
    which, state = _filter(chosen)
    proposals = decisions = None
    if which in ("", "proposals"):
        proposals = paginate(request, dsel.body_proposals(body, state or None, counts=False))
        proposals.object_list = list(proposals.object_list)
        dsel.count_for_page(proposals.object_list)
    if which in ("", "decisions"):
        decisions = paginate_named(request, dsel.body_decisions(body, state or None), "dpage")
    return render(
        request,
        "web/decisions/body_decisions.html",
        {
            "body": body,
            "ancestors": fsel.body_ancestors(body),
            "viewer": viewer,
            "may_propose": may_propose,
            "is_board": permissions.holds_seat(viewer, body),
            "show_names": permissions.belongs_to(viewer, body),
            "proposals": proposals,
            "decisions": decisions,
            "filters": FILTERS,
            "chosen": chosen if which else "",
            "errors": errors,
            "values": values,
            "routes": Proposal.Route.choices,
            "now": timezone.now(),
        },
        status=status,
    )


def paginate_named(request: HttpRequest, items: Any, param: str) -> Any:
    from django.core.paginator import Paginator

    from collegium.web.views import PAGE_SIZE

    return Paginator(items, PAGE_SIZE).get_page(request.GET.get(param))


# ------------------------------------------------------------------------ one proposal


def _proposal_context(
    request: HttpRequest, proposal: Proposal, errors: dict[str, str], values: dict[str, str]
) -> dict[str, Any]:
    body = proposal.body
    viewer = queries.member_viewer(request.user)
    versions = dsel.proposal_versions(proposal)
    for v in versions:
        found = re.fullmatch(r"amendment (\S+) accepted", v.note)
        v.amendment_id = found.group(1) if found else ""  # type: ignore[attr-defined]
    current = versions[-1]
    is_member = permissions.belongs_to(viewer, body)
    is_author = viewer is not None and viewer.pk == proposal.author_id
    is_board = permissions.holds_seat(viewer, body)
    open_text = proposal.state == Proposal.State.DELIBERATION
    amendments = dsel.proposal_amendments(proposal)
    for a in amendments:
        a.outdated = a.based_on != current.number  # type: ignore[attr-defined]
    decisions = list(proposal.decisions.order_by("-opened_at"))
    return {
        "proposal": proposal,
        "body": body,
        "ancestors": fsel.body_ancestors(body),
        "viewer": viewer,
        "current": current,
        "current_html": _markdown(current.text),
        "rationale_html": _markdown(current.rationale) if current.rationale.strip() else "",
        "versions": versions,
        "thread": dsel.comment_thread(proposal),
        "amendments": amendments,
        "open_amendments": sum(1 for a in amendments if a.state == Amendment.State.PROPOSED),
        "decisions": decisions,
        "is_member": is_member,
        "show_names": is_member,
        "is_author": is_author,
        "is_board": is_board,
        "open_text": open_text,
        "errors": errors,
        "values": values,
        "default_close": values.get("closes_at") or _default_close(7),
        "entries": dsel.record_entries_for(body, proposal.public_id),
    }


def _render_proposal(
    request: HttpRequest,
    proposal: Proposal,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _proposal_context(request, proposal, errors or {}, values or {})
    return render(request, "web/decisions/proposal_detail.html", context, status=status)


@require_GET
def proposal_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return _render_proposal(request, _proposal_or_404(public_id))


def _comment_parent(proposal: Proposal, raw: str) -> Comment | None:
    if not raw.strip():
        return None
    try:
        pk = int(raw)
    except ValueError:
        raise DecisionError("the comment you reply to is not in this discussion") from None
    parent = Comment.objects.filter(pk=pk, proposal=proposal).first()
    if parent is None:
        raise DecisionError("the comment you reply to is not in this discussion")
    return parent


def _amendment(proposal: Proposal, raw: str) -> Amendment:
    amendment = (
        Amendment.objects.select_related("proposal", "proposal__body")
        .filter(public_id=raw, proposal=proposal)
        .first()
    )
    if amendment is None:
        raise DecisionError("there is no such amendment to this proposal")
    return amendment


ANCHORS = {
    "comment": "discussion",
    "amend": "amendments",
    "accept": "amendments",
    "decline": "amendments",
    "revise": "revise",
    "withdraw": "revise",
    "roll_call": "vote",
    "referendum": "vote",
}


@require_POST
def proposal_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    proposal = _proposal_or_404(public_id)
    post = request.POST
    values = {k: post.get(k, "") for k in post if k != "csrfmiddlewaretoken"}
    user = request.user
    key = action
    try:
        if action == "comment":
            key = "reply" if post.get("parent") else "comment"
            services.comment_add(
                user=user,
                proposal=proposal,
                text=post.get("text", "")[:MAX_TEXT],
                parent=_comment_parent(proposal, post.get("parent", "")),
            )
            done = "Your comment is posted."
        elif action == "amend":
            services.amendment_propose(
                user=user,
                proposal=proposal,
                original=post.get("original", "").replace("\r\n", "\n"),
                replacement=post.get("replacement", "").replace("\r\n", "\n"),
                reason=post.get("reason", "")[:MAX_TEXT],
            )
            done = "Your amendment is proposed. The author accepts or declines it."
        elif action in ("accept", "decline"):
            key = "decide"
            amendment = _amendment(proposal, post.get("amendment", ""))
            if action == "accept":
                version = services.amendment_accept(user=user, amendment=amendment)
                done = f"The amendment is accepted: the text is now version {version.number}."
            else:
                services.amendment_decline(user=user, amendment=amendment)
                done = "The amendment is declined; it stays listed."
        elif action == "revise":
            text = post.get("text", "").replace("\r\n", "\n")[:MAX_TEXT]
            rationale = post.get("rationale", "").replace("\r\n", "\n")[:MAX_TEXT]
            version = services.proposal_revise(
                user=user, proposal=proposal, text=text, rationale=rationale
            )
            done = f"Version {version.number} is published."
        elif action == "withdraw":
            services.proposal_withdraw(
                user=user, proposal=proposal, reason=post.get("reason", "")[:MAX_TEXT]
            )
            done = "The proposal is withdrawn; it stays listed with its discussion."
        elif action in ("roll_call", "referendum"):
            key = "vote"
            closes_at = _parse_when(post.get("closes_at", ""))
            if closes_at is None:
                raise DecisionError("give the date and time the vote closes")
            opener = services.roll_call_open if action == "roll_call" else services.referendum_open
            decision = opener(user=user, proposal=proposal, closes_at=closes_at)
            messages.success(
                request,
                "The roll call is open: board members vote on the decision page."
                if action == "roll_call"
                else "The referendum is open: every member of the body can vote.",
            )
            return redirect("decision", decision.public_id)
        else:  # pragma: no cover - the URLs name the actions
            raise Http404("No such action.")
    except DecisionError as exc:
        return _render_proposal(request, proposal, {key: _sentence(exc)}, values, 400)
    except PermissionDenied as exc:
        return _render_proposal(request, proposal, {key: _sentence(exc)}, values, 403)
    messages.success(request, done)
    return redirect(f"/proposals/{proposal.public_id}/#{ANCHORS[action]}")


def _hunk_words(header: str, a: int, b: int) -> str:
    """``@@ -1,6 +1,8 @@`` → "Lines 1–6 of version 1, lines 1–8 of version 3"."""
    match = re.match(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", header)
    if match is None:
        return header

    def span(start: str, length: str | None) -> str:
        first, n = int(start), 1 if length is None else int(length)
        if n == 0:
            return f"after line {first}"
        return f"line {first}" if n == 1 else f"lines {first}–{first + n - 1}"

    old = span(match.group(1), match.group(2))
    new = span(match.group(3), match.group(4))
    return f"{old[0].upper()}{old[1:]} of version {a}, {new} of version {b}"


@require_GET
def proposal_diff(request: HttpRequest, public_id: str) -> HttpResponse:
    proposal = _proposal_or_404(public_id)
    versions = dsel.proposal_versions(proposal)
    by_number = {v.number: v for v in versions}
    last = versions[-1].number

    def number(name: str, default: int) -> int:
        try:
            n = int(request.GET.get(name, default))
        except ValueError:
            return default
        return n if n in by_number else default

    a = number("from", max(1, last - 1))
    b = number("to", last)
    old, new = by_number[a], by_number[b]
    diff = text_diff(old.text, new.text, old_label=f"version {a}", new_label=f"version {b}")
    lines = []
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            continue
        if line.startswith("@@"):
            kind = "hunk"
            line = _hunk_words(line, a, b)
        elif line.startswith("+"):
            kind = "add"
        elif line.startswith("-"):
            kind = "del"
        else:
            kind = "same"
        lines.append((kind, line))
    rationale_changed = old.rationale != new.rationale
    return render(
        request,
        "web/decisions/proposal_diff.html",
        {
            "proposal": proposal,
            "body": proposal.body,
            "ancestors": fsel.body_ancestors(proposal.body),
            "versions": versions,
            "old": old,
            "new": new,
            "lines": lines,
            "same": not diff,
            "rationale_changed": rationale_changed,
        },
    )


# ------------------------------------------------------------------------ one decision


def _decision_context(
    request: HttpRequest, decision: Decision, errors: dict[str, str]
) -> dict[str, Any]:
    body = decision.body
    viewer = queries.member_viewer(request.user)
    now = timezone.now()
    is_member = permissions.belongs_to(viewer, body)
    is_board = permissions.holds_seat(viewer, body)
    roll_call = decision.kind == Decision.Kind.ROLL_CALL
    open_vote = decision.state == Decision.State.VOTING and now < decision.closes_at
    context: dict[str, Any] = {
        "decision": decision,
        "body": body,
        "ancestors": fsel.body_ancestors(body),
        "viewer": viewer,
        "is_member": is_member,
        "show_names": is_member,
        "is_board": is_board,
        "roll_call": roll_call,
        "open_vote": open_vote,
        "may_close": decision.state == Decision.State.VOTING and now >= decision.closes_at,
        "text_html": _markdown(decision.version.text) if decision.version else "",
        "errors": errors,
        "outcome": decision.outcome or None,
        "entries": dsel.record_entries_for(body, decision.public_id),
        "now": now,
        "alternatives": decision.kind == Decision.Kind.ALTERNATIVES,
        "subject": effects.subject_link(decision),
    }
    if decision.kind == Decision.Kind.ALTERNATIVES:
        options = list(enumerate(decision.options or []))
        context["options"] = options
        context["rank_numbers"] = range(1, len(options) + 1)
        outcome = decision.outcome or {}
        if outcome.get("ranking"):
            names = dict(options)
            order = outcome["ranking"]
            context["ranked"] = [(i, names[i]) for i in order]
            pairs = outcome["pairwise"]
            context["pairwise"] = [
                (
                    names[i],
                    [
                        {"n": pairs[i][j], "same": i == j, "wins": pairs[i][j] > pairs[j][i]}
                        for j in order
                    ],
                )
                for i in order
            ]
    if roll_call:
        from collegium.elections.selectors import board_seats

        votes = dsel.roll_call_votes(decision)
        voted_ids = {v.member_id for v in votes}
        context["votes"] = votes
        context["my_vote"] = next((v for v in votes if viewer and v.member_id == viewer.pk), None)
        context["not_voted"] = (
            [s.holder for s in board_seats(body) if s.holder_id not in voted_ids]
            if open_vote
            else []
        )
    else:
        context["turnout"] = dsel.referendum_turnout(decision)
        context["voted"] = dsel.has_voted_in_referendum(decision, viewer)
        checked = request.GET.get("tracker", "").strip()[:64]
        if checked and decision.outcome:
            context["tracker_checked"] = checked
            context["tracker_found"] = dsel.tracker_received(decision, checked)
    if decision.state in (Decision.State.REVIEW, Decision.State.OVERTURNED, Decision.State.FINAL):
        context["overturn"] = dsel.overturn_referendum(decision)
    if decision.state == Decision.State.REVIEW:
        petition = dsel.review_petition(decision, viewer)
        context["petition"] = petition
        context["percent"] = min(100, round(100 * petition.signatures / petition.needed))
        context["review_open"] = (
            decision.review_until is not None
            and now < decision.review_until
            and context.get("overturn") is None
        )
    return context


def _render_decision(
    request: HttpRequest,
    decision: Decision,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = _decision_context(request, decision, errors or {})
    return render(request, "web/decisions/decision_detail.html", context, status=status)


@require_GET
def decision_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return _render_decision(request, _decision_or_404(public_id))


def _ranking(request: HttpRequest, decision: Decision) -> list[int]:
    """``rank-<option>`` = position (1 first) → option numbers in order of preference."""
    positions: dict[int, int] = {}
    for i, name in enumerate(decision.options or []):
        raw = request.POST.get(f"rank-{i}", "").strip()
        if not raw:
            continue
        try:
            position = int(raw)
        except ValueError:
            raise DecisionError(f"give {name!r} a number, or leave it empty") from None
        if position in positions.values():
            raise DecisionError(f"two alternatives have rank {position}: give each its own")
        positions[i] = position
    return sorted(positions, key=lambda i: positions[i])


@require_GET
def decision_ballots(request: HttpRequest, public_id: str) -> HttpResponse:
    """The counted ballots of a referendum, in random order (their keys are random)."""
    decision = _decision_or_404(public_id)
    if decision.kind == Decision.Kind.ROLL_CALL or decision.outcome is None:
        raise Http404("Ballots are published once a referendum is counted.")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    ballots = decision.referendum_ballots.order_by("key")
    if decision.kind == Decision.Kind.ALTERNATIVES:
        options = decision.options or []
        writer.writerow(["ranking"])
        writer.writerows(
            [" > ".join(options[i] for i in (b.ranking or []))] for b in ballots.only("ranking")
        )
    else:
        writer.writerow(["choice"])
        writer.writerows([b.choice] for b in ballots.only("choice"))
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{decision.public_id}-ballots.csv"'
    return response


@require_GET
def decision_trackers(request: HttpRequest, public_id: str) -> HttpResponse:
    decision = _decision_or_404(public_id)
    if decision.kind == Decision.Kind.ROLL_CALL or decision.outcome is None:
        raise Http404("Trackers are published once a referendum is counted.")
    codes = decision.referendum_trackers.order_by("code").values_list("code", flat=True)
    response = HttpResponse("".join(f"{c}\n" for c in codes), content_type="text/plain")
    response["Content-Disposition"] = f'attachment; filename="{decision.public_id}-trackers.txt"'
    return response


@require_POST
def decision_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    decision = _decision_or_404(public_id)
    user = request.user
    try:
        if action == "vote":
            services.roll_call_vote(user=user, decision=decision, vote=request.POST.get("vote", ""))
            done = "Your vote is recorded and published with your name."
        elif action == "cast":
            if decision.kind == Decision.Kind.ALTERNATIVES:
                tracker = alternatives_cast(
                    user=user, decision=decision, ranking=_ranking(request, decision)
                )
            else:
                tracker = services.referendum_cast(
                    user=user, decision=decision, choice=request.POST.get("choice", "")
                )
            response = render(
                request,
                "web/decisions/cast.html",
                {
                    "decision": decision,
                    "body": decision.body,
                    "ancestors": fsel.body_ancestors(decision.body),
                    "tracker": tracker,
                },
            )
            response["Cache-Control"] = "no-store"
            return response
        elif action == "sign":
            referendum = services.review_sign(user=user, decision=decision)
            if referendum is not None:
                messages.success(
                    request,
                    "Your signature completed the petition: a referendum on overturning the "
                    "decision is open now.",
                )
                return redirect("decision", referendum.public_id)
            done = "You signed the petition to put this decision to the members."
        elif action == "close":
            permissions.require(
                permissions.belongs_to(permissions.member_of(user), decision.body),
                f"only members of {decision.body.name} count its votes from this page",
            )
            decision = services.decision_close(decision=decision)
            done = f"The vote is counted: {decision.get_state_display().lower()}."
        else:  # pragma: no cover - the URLs name the actions
            raise Http404("No such action.")
    except DecisionError as exc:
        return _render_decision(request, decision, {action: _sentence(exc)}, 400)
    except PermissionDenied as exc:
        return _render_decision(request, decision, {action: _sentence(exc)}, 403)
    messages.success(request, done)
    return redirect("decision", decision.public_id)
