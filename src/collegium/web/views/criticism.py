"""Criticism: a body's list with filters and the form to publish, one criticism with its
whole history and the forms to co-sign, add, respond, mark, moderate, look at an
anonymous author and appeal, and a member's own page.

Views parse the request and call the services of ``collegium.criticism``; a
``CriticismError`` or ``PermissionDenied`` is shown next to the form it came from, and
nothing changes.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collegium.criticism import permissions as cperm
from collegium.criticism import selectors as sel
from collegium.criticism import services
from collegium.criticism.models import Criticism, ModerationAct
from collegium.criticism.transitions import CriticismError
from collegium.decisions.models import Decision
from collegium.elections.models import Seat
from collegium.federation import selectors as fsel
from collegium.federation.permissions import PermissionDenied, belongs_to, holds_seat
from collegium.web import queries
from collegium.web.views import body_or_404, paginate

MAX_TEXT = services.MAX_TEXT


def _sentence(exc: Exception) -> str:
    text = str(exc).strip() or "This is not possible now"
    text = text[0].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _criticism_or_404(public_id: str) -> Criticism:
    criticism = sel.criticism_by_public_id(public_id)
    if criticism is None:
        raise Http404("There is no criticism with this id.")
    return criticism


def _addressable(body: Any) -> tuple[list[Seat], list[Decision]]:
    from collegium.elections.selectors import board_seats, delegate_seats

    seats = [*board_seats(body), *delegate_seats(body)]
    decisions = list(Decision.objects.filter(body=body).order_by("-opened_at")[:50])
    return seats, decisions


# ---------------------------------------------------------------------- a body's list

PUBLISH_FIELDS = ("title", "text", "target", "seat", "decision", "plan", "publicity")


def _publish(request: HttpRequest, body: Any, values: dict[str, str]) -> Criticism:
    seat = decision = None
    errors: dict[str, str] = {}
    if values["target"] == "seat" and values["seat"]:
        seat = Seat.objects.filter(pk=values["seat"] if values["seat"].isdigit() else 0).first()
        if seat is None:
            errors["seat"] = "Pick a seat-holder from the list."
    if values["target"] == "decision" and values["decision"]:
        decision = Decision.objects.filter(public_id=values["decision"]).first()
        if decision is None:
            errors["decision"] = "Pick a decision from the list."
    if errors:
        raise CriticismError("; ".join(errors.values()), errors)
    return services.criticism_publish(
        user=request.user,
        body=body,
        title=values["title"],
        text=values["text"].replace("\r\n", "\n")[: MAX_TEXT + 1],
        target=values["target"] or "body",
        seat=seat,
        decision=decision,
        plan=values["plan"],
        anonymous=values.get("anonymous") == "on",
        publicity=values["publicity"] or "bodies",
    )


@require_http_methods(["GET", "POST"])
def body_criticism(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    viewer = queries.member_viewer(request.user)
    now = timezone.now()
    may_publish = cperm.can_address(viewer, body)
    errors: dict[str, str] = {}
    values = {k: "" for k in PUBLISH_FIELDS}
    values.update(target="body", publicity="bodies")
    status = 200
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in (*PUBLISH_FIELDS, "anonymous")}
        try:
            criticism = _publish(request, body, values)
        except CriticismError as exc:
            errors = exc.errors or {"form": _sentence(exc)}
            status = 400
        except PermissionDenied as exc:
            errors = {"form": _sentence(exc)}
            status = 403
        else:
            messages.success(
                request,
                "Your criticism is published. The board must answer by "
                f"{timezone.localtime(criticism.due_at):%d %b %Y}.",
            )
            return redirect("criticism", criticism.public_id)
    state = request.GET.get("state", "")
    target = request.GET.get("target", "")
    q = request.GET.get("q", "")[:100]
    items = sel.body_criticism(body, viewer, state=state, target=target, q=q, now=now)
    page = paginate(request, items)
    seats, decisions = _addressable(body) if may_publish else ([], [])
    query = urlencode({k: v for k, v in (("state", state), ("target", target), ("q", q)) if v})
    return render(
        request,
        "web/criticism/body_criticism.html",
        {
            "body": body,
            "ancestors": fsel.body_ancestors(body),
            "viewer": viewer,
            "is_member": belongs_to(viewer, body),
            "page": page,
            "panel": sel.body_panel(body, viewer, now),
            "states": [(k, sel.STATE_LABELS[k]) for k in sel.STATES],
            "targets": Criticism.Target.choices,
            "publicities": Criticism.Publicity.choices,
            "chosen": {"state": state, "target": target, "q": q},
            "query": query,
            "may_publish": may_publish,
            "seats": seats,
            "decisions": decisions,
            "errors": errors,
            "values": values,
            "days": services.response_days(body),
            "now": now,
        },
        status=status,
    )


# -------------------------------------------------------------------- one criticism


def _context(request: HttpRequest, criticism: Criticism, errors: dict[str, str]) -> dict[str, Any]:
    viewer = queries.member_viewer(request.user)
    now = timezone.now()
    is_author = viewer is not None and viewer.pk == criticism.author_id
    is_moderator = not is_author and cperm.is_moderator(viewer, criticism)
    cosigners = sel.cosigners(criticism)
    is_cosigner = viewer is not None and any(c.member_id == viewer.pk for c in cosigners)
    levels = sel.criticism_levels(criticism)
    current = levels[-1]
    marked = viewer is not None and any(m.member_id == viewer.pk for m in current.marks)
    acts = sel.moderation_acts(criticism)
    appeal = None
    last_hide = next((a for a in reversed(acts) if a.kind == ModerationAct.Kind.HIDE), None)
    if last_hide is not None:
        needed, members = services.appeal_needed(criticism.body)
        signatures = sel.appeal_signatures(last_hide)
        appeal = {
            "act": last_hide,
            "signatures": signatures,
            "needed": needed,
            "members": members,
            "percent": min(100, round(100 * signatures / needed)) if needed else 100,
            "signed": sel.has_signed_appeal(last_hide, viewer),
            "may_start": is_author
            and criticism.hidden
            and last_hide.appeal == ModerationAct.Appeal.NONE,
            "may_sign": criticism.hidden
            and last_hide.appeal == ModerationAct.Appeal.PETITION
            and belongs_to(viewer, criticism.body),
        }
    reasons = fsel.charter_as_dict(criticism.body)["moderation_reasons"]
    return {
        "c": criticism,
        "body": criticism.body,
        "ancestors": fsel.body_ancestors(criticism.body),
        "viewer": viewer,
        "now": now,
        "is_author": is_author,
        "is_moderator": is_moderator,
        "may_look": is_moderator
        and criticism.anonymous
        and not cperm.concerned_seat_holder(viewer, criticism),
        "show_text": cperm.may_see_text(viewer, criticism),
        "cosigners": cosigners,
        "is_cosigner": is_cosigner,
        "may_cosign": viewer is not None and not is_author and not is_cosigner,
        "may_edit": is_author and criticism.cosignatures == 0,
        "may_respond": criticism.awaiting_response
        and not is_author
        and holds_seat(viewer, criticism.level_body),
        "may_mark": (is_author or is_cosigner)
        and criticism.state in (Criticism.State.ANSWERED, Criticism.State.SATISFIED)
        and not marked,
        "levels": levels,
        "additions": sel.additions(criticism),
        "acts": acts,
        "appeal": appeal,
        "looks": sel.author_looks(criticism),
        "reasons": reasons,
        "overdue": criticism.awaiting_response and criticism.due_at <= now,
        "majority": services.unsatisfied_needed(criticism.cosignatures),
        "agenda_needed": sel.agenda_needed(criticism.level_body),
        "supporters": sel.supporters(criticism),
        "entries": sel.entries_for(criticism),
        "errors": errors,
        "commission": cperm.moderation_commission(criticism),
    }


def _render(
    request: HttpRequest,
    criticism: Criticism,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    viewer = queries.member_viewer(request.user)
    if not cperm.can_read(viewer, criticism):
        return render(
            request,
            "web/criticism/restricted.html",
            {
                "c": criticism,
                "body": criticism.body,
                "ancestors": fsel.body_ancestors(criticism.body),
            },
            status=403,
        )
    context = _context(request, criticism, errors or {})
    return render(request, "web/criticism/criticism_detail.html", context, status=status)


@require_GET
def criticism_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    return _render(request, _criticism_or_404(public_id))


ANCHORS = {
    "cosign": "cosign",
    "edit": "text",
    "add": "additions",
    "respond": "responses",
    "mark": "responses",
    "hide": "moderation",
    "appeal": "moderation",
    "reveal": "moderation",
}


@require_POST
def criticism_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    criticism = _criticism_or_404(public_id)
    user = request.user
    post = request.POST
    viewer = queries.member_viewer(user)
    if viewer is not None and not cperm.can_read(viewer, criticism):
        return _render(request, criticism)
    try:
        if action == "cosign":
            services.criticism_cosign(user=user, criticism=criticism)
            done = "You co-signed this criticism; you are named among its co-signers."
        elif action == "edit":
            services.criticism_edit(
                user=user,
                criticism=criticism,
                title=post.get("title", ""),
                text=post.get("text", "").replace("\r\n", "\n")[: MAX_TEXT + 1],
            )
            done = "The text is corrected."
        elif action == "add":
            services.addition_add(
                user=user,
                criticism=criticism,
                text=post.get("text", "").replace("\r\n", "\n")[: MAX_TEXT + 1],
            )
            done = "Your addition is published."
        elif action == "respond":
            services.response_publish(
                user=user,
                criticism=criticism,
                text=post.get("text", "").replace("\r\n", "\n")[: MAX_TEXT + 1],
            )
            done = "The board's response is published; the critic and co-signers are told."
        elif action == "mark":
            verdict = post.get("verdict", "")
            if verdict not in ("satisfied", "unsatisfied"):
                raise CriticismError(
                    "say whether the response satisfies you",
                    {"verdict": "choose satisfied or unsatisfied"},
                )
            c = services.response_mark(
                user=user, criticism=criticism, satisfied=verdict == "satisfied"
            )
            done = (
                f"Your mark is recorded. The criticism went to the board of {c.level_body.name}."
                if c.level > criticism.level
                else "Your mark is recorded."
            )
        elif action == "hide":
            services.criticism_hide(user=user, criticism=criticism, reason=post.get("reason", ""))
            done = "The criticism is hidden; it stays listed with the reason, on the record."
        elif action == "reveal":
            author = services.author_reveal(
                user=user, criticism=criticism, reason=post.get("reason", "")
            )
            response = render(
                request,
                "web/criticism/revealed.html",
                {
                    "c": criticism,
                    "body": criticism.body,
                    "ancestors": fsel.body_ancestors(criticism.body),
                    "author": author,
                    "reason": post.get("reason", ""),
                },
            )
            response["Cache-Control"] = "no-store"
            return response
        elif action == "appeal":
            act = ModerationAct.objects.filter(
                public_id=post.get("act", ""), criticism=criticism
            ).first()
            if act is None:
                raise CriticismError("there is no such moderation act on this criticism")
            decision = services.appeal_sign(user=user, act=act)
            if decision is not None:
                messages.success(
                    request,
                    "The appeal has its signatures: the members now vote on it in a referendum.",
                )
                return redirect("decision", decision.public_id)
            done = "You signed the appeal."
        else:  # pragma: no cover - the URLs name the actions
            raise Http404("No such action.")
    except CriticismError as exc:
        errors = {action: _sentence(exc)}
        return _render(request, criticism, errors, 400)
    except PermissionDenied as exc:
        return _render(request, criticism, {action: _sentence(exc)}, 403)
    messages.success(request, done)
    return redirect(f"/criticism/{criticism.public_id}/#{ANCHORS[action]}")


# ------------------------------------------------------------------- a member's own


@login_required
@require_GET
def my_criticism(request: HttpRequest) -> HttpResponse:
    viewer = queries.member_viewer(request.user)
    if viewer is None:
        raise Http404("Only members have criticism of their own.")
    now = timezone.now()
    own = Criticism.objects.filter(author=viewer).select_related("level_body", "body")
    cosigned = Criticism.objects.filter(cosignature_rows__member=viewer).select_related(
        "level_body", "body"
    )
    return render(
        request,
        "web/criticism/mine.html",
        {
            "viewer": viewer,
            "pending": sel.member_items(viewer, now),
            "own": own.order_by("-created_at")[:200],
            "cosigned": cosigned.order_by("-created_at")[:200],
            "now": now,
        },
    )
