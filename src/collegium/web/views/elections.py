"""Elections, secret ballots, results, recall, delegates and mandates.

Views parse the request, check permission and call the services of
``collegium.elections``; a service's ``PermissionDenied`` becomes the 403 page with its
message and an ``ElectionError`` is shown on the page it came from.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections import Counter
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from collegium.decisions import selectors as dsel
from collegium.elections import selectors as esel
from collegium.elections import services
from collegium.elections.models import (
    DelegateVote,
    Election,
    MandatePosition,
    Nomination,
    RecallBallot,
    RecallPetition,
    RecallRollEntry,
    RollEntry,
    Seat,
    SeatRole,
)
from collegium.elections.permissions import (
    _member_base,
    calling_board,
    can_call_election,
    elected_by_delegates,
    elector,
    in_electorate,
)
from collegium.elections.services import ElectionError
from collegium.federation import permissions
from collegium.federation import selectors as fsel
from collegium.federation.models import Member
from collegium.web import queries
from collegium.web.views import body_or_404, is_partial, service_denials, vary_on_htmx

SEARCH_LIMIT = 20


# ------------------------------------------------------------------------------ helpers


def _election_or_404(public_id: str) -> Election:
    election = esel.election_by_public_id(public_id)
    if election is None:
        raise Http404("There is no election with this id.")
    return election


def _recall_or_404(public_id: str) -> RecallPetition:
    petition = esel.recall_by_public_id(public_id)
    if petition is None:
        raise Http404("There is no recall petition with this id.")
    return petition


def _seat_or_404(seat_id: int) -> Seat:
    seat = Seat.objects.select_related("body", "holder__category").filter(pk=seat_id).first()
    if seat is None:
        raise Http404("There is no such seat.")
    return seat


def _parse_when(value: str) -> dt.datetime | None:
    """A ``datetime-local`` (or ISO) value in the installation's time zone."""
    try:
        when = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if timezone.is_naive(when):
        when = timezone.make_aware(when, timezone.get_current_timezone())
    return when


def _purpose_words(election: Election) -> str:
    if election.purpose == SeatRole.DELEGATE:
        parent = election.body.parent
        return f"delegates of {election.body.name}" + (f" to {parent.name}" if parent else "")
    return f"board of {election.body.name}"


def _category_names() -> dict[str, str]:
    from collegium.federation.models import Category

    return dict(Category.objects.values_list("code", "name"))


def _election_context(election: Election) -> dict[str, Any]:
    return {
        "election": election,
        "body": election.body,
        "ancestors": fsel.body_ancestors(election.body),
        "purpose_words": _purpose_words(election),
        "quota_name": _category_names().get(
            election.quota_category, election.quota_category.replace("_", " ")
        ),
    }


def _back(request: HttpRequest, election: Election) -> HttpResponse:
    return redirect("election", election.public_id)


# ----------------------------------------------------------------- a body's elections


@require_http_methods(["GET", "POST"])
@service_denials
def body_elections(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    may_call = can_call_election(request.user, body)
    form_errors: list[str] = []
    values = {
        "purpose": "board",
        "nominations_close_at": "",
        "voting_closes_at": "",
        "by_election": "",
    }
    if request.method == "POST":
        values = {k: request.POST.get(k, "").strip() for k in values}
        close_n = _parse_when(values["nominations_close_at"])
        close_v = _parse_when(values["voting_closes_at"])
        if close_n is None:
            form_errors.append("Give the date and time nominations close.")
        if close_v is None:
            form_errors.append("Give the date and time voting closes.")
        if not form_errors:
            assert close_n is not None and close_v is not None
            try:
                election = services.election_call(
                    user=request.user,
                    body=body,
                    nominations_close_at=close_n,
                    voting_closes_at=close_v,
                    purpose=values["purpose"],
                    by_election=values["by_election"] == "1",
                )
            except ElectionError as exc:
                form_errors.append(str(exc).capitalize() + ".")
            else:
                messages.success(
                    request,
                    "The election is called and on the public record. Nominations are open.",
                )
                return redirect("election", election.public_id)
    elections = list(esel.body_elections(body))
    running = [
        e for e in elections if e.state in (Election.State.NOMINATION, Election.State.VOTING)
    ]
    past = [e for e in elections if e not in running]
    board = calling_board(body)
    now = timezone.localtime()
    if not values["nominations_close_at"]:
        values["nominations_close_at"] = (now + dt.timedelta(days=14)).strftime("%Y-%m-%dT18:00")
        values["voting_closes_at"] = (now + dt.timedelta(days=21)).strftime("%Y-%m-%dT18:00")
    return render(
        request,
        "web/elections/body_elections.html",
        {
            "body": body,
            "ancestors": fsel.body_ancestors(body),
            "running": running,
            "past": past,
            "may_call": may_call,
            "calling_board": board,
            "by_delegates": elected_by_delegates(body),
            "has_parent": body.parent_id is not None,
            "form_errors": form_errors,
            "values": values,
        },
        status=400 if form_errors else 200,
    )


# ---------------------------------------------------------------------- one election


@require_GET
def election_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    election = _election_or_404(public_id)
    body = election.body
    viewer = queries.member_viewer(request.user)
    nominations = list(esel.election_nominations(election))
    is_elector = in_electorate(viewer, body, election.purpose)
    may_manage = can_call_election(request.user, body)
    base = _member_base(body)
    may_see_members = permissions.belongs_to(viewer, base)
    q = request.GET.get("q", "").strip()[:100]
    found: list[Member] = []
    if q and is_elector and may_see_members and election.state == Election.State.NOMINATION:
        found = list(
            queries.member_search(fsel.body_members(base), q).order_by("member_no")[:SEARCH_LIMIT]
        )
    if is_partial(request, "member-results"):
        fragment = {
            "q": q,
            "found": found,
            "election": election,
            "body": body,
            "nominated_ids": {n.nominee_id for n in nominations},
        }
        return vary_on_htmx(render(request, "web/elections/_member_results.html", fragment))
    for n in nominations:
        n.cosigned_by_viewer = viewer is not None and any(  # type: ignore[attr-defined]
            s.member_id == viewer.pk for s in n.signatures.all()
        )
    voted = (
        viewer is not None and RollEntry.objects.filter(election=election, member=viewer).exists()
    )
    context = _election_context(election)
    context.update(
        {
            "nominations": nominations,
            "viewer": viewer,
            "is_elector": is_elector,
            "may_manage": may_manage,
            "may_see_members": may_see_members,
            "q": q,
            "found": found,
            "voted": voted,
            "nominated_ids": {n.nominee_id for n in nominations},
            "shortfall": services.quota_shortfall(election)
            if election.state == Election.State.NOMINATION
            else None,
            "nominations_open": election.state == Election.State.NOMINATION
            and timezone.now() < election.nominations_close_at,
            "voting_closed": timezone.now() >= election.voting_closes_at,
            "nominations_closed": timezone.now() >= election.nominations_close_at,
            "turnout": RollEntry.objects.filter(election=election).count(),
            "calling_board": calling_board(body),
        }
    )
    return vary_on_htmx(render(request, "web/elections/election_detail.html", context))


@require_POST
@service_denials
def nominate(request: HttpRequest, public_id: str) -> HttpResponse:
    election = _election_or_404(public_id)
    viewer = queries.member_viewer(request.user)
    if viewer is None:
        permissions.require(False, "only members take part in elections; sign in first")
    number = request.POST.get("member_no", "").strip()
    if number:
        nominee = Member.objects.filter(member_no=number, active=True).first()
        if nominee is None:
            messages.error(request, f"There is no member with the number {number}.")
            return _back(request, election)
    else:
        nominee = viewer
    assert nominee is not None
    try:
        services.nomination_submit(
            user=request.user,
            election=election,
            nominee=nominee,
            statement=request.POST.get("statement", "")[:4000],
        )
    except ElectionError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        if viewer is not None and nominee.pk == viewer.pk:
            messages.success(request, "You stand as a candidate; your nomination is accepted.")
        else:
            messages.success(
                request,
                f"{nominee.full_name} is nominated. They stand once they accept the nomination.",
            )
    return _back(request, election)


def _nomination_or_404(pk: int) -> Nomination:
    nomination = (
        Nomination.objects.select_related("election__body", "nominee").filter(pk=pk).first()
    )
    if nomination is None:
        raise Http404("There is no such nomination.")
    return nomination


@require_POST
@service_denials
def nomination_cosign(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination_or_404(pk)
    try:
        services.nomination_cosign(user=request.user, nomination=nomination)
    except ElectionError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        messages.success(
            request, f"You co-signed the nomination of {nomination.nominee.full_name}."
        )
    return _back(request, nomination.election)


@require_POST
@service_denials
def nomination_accept(request: HttpRequest, pk: int) -> HttpResponse:
    nomination = _nomination_or_404(pk)
    try:
        services.nomination_accept(user=request.user, nomination=nomination)
    except ElectionError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        messages.success(request, "You accepted the nomination: you stand in this election.")
    return _back(request, nomination.election)


@require_POST
@service_denials
def election_open(request: HttpRequest, public_id: str) -> HttpResponse:
    election = _election_or_404(public_id)
    try:
        services.election_open_voting(user=request.user, election=election)
    except ElectionError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        messages.success(request, "Voting is open. The candidates have their ballot numbers.")
    return _back(request, election)


@require_POST
@service_denials
def election_cancel(request: HttpRequest, public_id: str) -> HttpResponse:
    election = _election_or_404(public_id)
    try:
        services.election_cancel(
            user=request.user, election=election, reason=request.POST.get("reason", "")[:2000]
        )
    except ElectionError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        messages.success(request, "The election is cancelled; the reason is on its page.")
    return _back(request, election)


@require_POST
@service_denials
def election_count(request: HttpRequest, public_id: str) -> HttpResponse:
    """Close and count once voting time is over (anyone signed in may start the count:
    its result depends on the ballots only)."""
    election = _election_or_404(public_id)
    permissions.require(request.user.is_authenticated, "sign in to start the count")
    try:
        services.election_count(election=election, user=request.user)
    except ElectionError as exc:
        messages.error(request, str(exc).capitalize() + ".")
        return _back(request, election)
    messages.success(request, "The votes are counted; the ballots and trackers are published.")
    return redirect("election_results", election.public_id)


# -------------------------------------------------------------------------- the ballot


@require_http_methods(["GET", "POST"])
@service_denials
def ballot(request: HttpRequest, public_id: str) -> HttpResponse:
    election = _election_or_404(public_id)
    viewer = queries.member_viewer(request.user)
    who = elector(viewer, election.body, election.purpose)
    candidates = list(
        Nomination.objects.filter(election=election, number__isnull=False)
        .select_related("nominee__category", "nominee__workplace")
        .order_by("number")
    )
    voted = (
        viewer is not None and RollEntry.objects.filter(election=election, member=viewer).exists()
    )
    error = ""
    chosen: list[str] = []
    if request.method == "POST":
        chosen = [request.POST.get(f"pref_{i}", "").strip() for i in range(1, len(candidates) + 1)]
        ranking: list[int] = []
        try:
            ranking = [int(c) for c in chosen if c]
        except ValueError:
            error = "Choose candidates from the lists."
        if not error:
            gap = _gap(chosen)
            if gap:
                error = gap
        if not error:
            try:
                tracker = services.ballot_cast(
                    user=request.user, election=election, ranking=ranking
                )
            except ElectionError as exc:
                error = str(exc).capitalize() + "."
            else:
                by_number = {c.number: c for c in candidates}
                context = _election_context(election)
                context.update(
                    {
                        "tracker": tracker,
                        "ranking": [by_number[n] for n in ranking],
                        "public": bool(who and who.public),
                        "weight": who.weight if who else 1,
                    }
                )
                response = render(request, "web/elections/cast.html", context)
                response["Cache-Control"] = "no-store"
                return response
    context = _election_context(election)
    context.update(
        {
            "candidates": candidates,
            "slots": [
                (i, chosen[i - 1] if i - 1 < len(chosen) else "")
                for i in range(1, len(candidates) + 1)
            ],
            "viewer": viewer,
            "elector": who,
            "voted": voted,
            "error": error,
            "open": election.state == Election.State.VOTING
            and timezone.now() < election.voting_closes_at,
        }
    )
    return render(request, "web/elections/ballot.html", context, status=400 if error else 200)


def _gap(chosen: list[str]) -> str:
    """Preferences must be consecutive from the first: a blank in the middle is a slip."""
    seen_blank = False
    for i, c in enumerate(chosen, start=1):
        if not c:
            seen_blank = True
        elif seen_blank:
            return (
                f"Preference {i} is filled but an earlier one is empty: fill your preferences "
                "in order from 1, leaving only the last ones empty."
            )
    if not any(chosen):
        return "Choose at least your first preference."
    return ""


# ---------------------------------------------------------------------------- results


def _sheet_view(election: Election) -> dict[str, Any]:
    sheet = election.count_sheet or {}
    candidates = sheet.get("candidates", [])
    nominations = {
        n.number: n
        for n in Nomination.objects.filter(election=election, number__isnull=False).select_related(
            "nominee__category"
        )
    }
    names = {c["number"]: c["name"] for c in candidates}
    rounds = sheet.get("rounds", [])
    status: dict[int, str] = {}
    stages = []
    for r in rounds:
        for d in r.get("elected", []):
            status[d["candidate"]] = "elected"
        for d in r.get("excluded", []):
            status[d["candidate"]] = "excluded"
        ties = []
        for t in r.get("ties", []):
            tied = ", ".join(names.get(c, str(c)) for c in t["tied"])
            if t["method"] == "look-back":
                how = f"broken by the totals at stage {t.get('decided_at')} (look-back)"
            else:
                how = f"broken by lot (seed {t.get('seed')}, draw {t.get('draw')})"
            ties.append(
                f"Tie for {t['purpose']} between {tied}: {names.get(t['chosen'], t['chosen'])} "
                f"chosen, {how}."
            )
        stages.append(
            {
                "stage": r["stage"],
                "action": r["action"],
                "source": [names.get(c, str(c)) for c in r.get("from", [])],
                "elected": [(names.get(d["candidate"]), d["reason"]) for d in r.get("elected", [])],
                "excluded": [
                    (names.get(d["candidate"]), d["reason"]) for d in r.get("excluded", [])
                ],
                "ties": ties,
                "transfer_values": r.get("transfer_values", []),
                "exhausted": r.get("exhausted", "0"),
                "non_transferable": r.get("non_transferable", "0"),
                "lost": r.get("lost", "0"),
                "note": r.get("note", ""),
            }
        )
    rows = []
    for c in candidates:
        num = c["number"]
        key = str(num)
        cells = []
        for r in rounds:
            change = r.get("changes", {}).get(key)
            cells.append({"tally": r["tallies"].get(key, ""), "change": change})
        nomination = nominations.get(num)
        rows.append(
            {
                "number": num,
                "name": c["name"],
                "category": nomination.nominee.category.name if nomination else "",
                "cells": cells,
                "status": status.get(num, ""),
                "member": nomination.nominee if nomination else None,
            }
        )
    return {
        "sheet": sheet,
        "rows": rows,
        "stages": stages,
        "exhausted_row": [r.get("exhausted", "0") for r in rounds],
        "names": names,
    }


def _composition(election: Election) -> list[dict[str, Any]]:
    elected = esel.elected_members(election)
    counts = Counter(m.category.code for m in elected)
    names = _category_names()
    rows = []
    for code, name in names.items():
        if counts.get(code) or code == election.quota_category:
            rows.append(
                {
                    "name": name,
                    "count": counts.get(code, 0),
                    "reserved": election.reserved_seats if code == election.quota_category else 0,
                }
            )
    return rows


@require_GET
def results(request: HttpRequest, public_id: str) -> HttpResponse:
    election = _election_or_404(public_id)
    context = _election_context(election)
    viewer = queries.member_viewer(request.user)
    if election.state == Election.State.COUNTED:
        context.update(_sheet_view(election))
        context["composition"] = _composition(election)
        context["recount_args"] = esel.recount_args(election)
        tracker = request.GET.get("tracker", "").strip()[:64]
        if tracker:
            context["tracker_query"] = tracker
            context["tracker_found"] = tracker in election.published_trackers.split()
        seats_now = {
            s.holder_id: s
            for s in Seat.objects.filter(
                body=election.body, role=election.purpose, vacated_on__isnull=True
            )
        }
        context["elected_rows"] = [(m, seats_now.get(m.pk)) for m in esel.elected_members(election)]
    context["ballots_cast"] = RollEntry.objects.filter(election=election).count()
    context["may_see_roll"] = permissions.belongs_to(viewer, _member_base(election.body))
    context["public_roll"] = elected_by_delegates(election.body, election.purpose)
    return render(request, "web/elections/results.html", context)


COLOURS = [
    "#9b1c1c",
    "#0b4f8a",
    "#7a5c00",
    "#1e6b35",
    "#6b2c91",
    "#b34700",
    "#00707a",
    "#4b5563",
    "#a8326e",
    "#375e00",
]


@require_GET
def results_chart(request: HttpRequest, public_id: str) -> HttpResponse:
    """The tallies stage by stage as an SVG line chart (presentation attributes only)."""
    election = _election_or_404(public_id)
    if election.state != Election.State.COUNTED:
        raise Http404("The election is not counted yet.")
    view = _sheet_view(election)
    sheet = view["sheet"]
    stages = len(sheet.get("rounds", []))
    values = [[float(c["tally"] or 0) for c in row["cells"]] for row in view["rows"]]
    top = max([v for row in values for v in row] + [float(sheet.get("quota") or 0), 1.0])
    width, height, left, right, top_pad, bottom = 720, 360, 48, 200, 16, 40
    plot_w, plot_h = width - left - right, height - top_pad - bottom

    def x(i: int) -> float:
        return left + (plot_w * i / max(stages - 1, 1))

    def y(v: float) -> float:
        return top_pad + plot_h * (1 - v / top)

    lines = []
    for k, (row, vals) in enumerate(zip(view["rows"], values, strict=True)):
        colour = COLOURS[k % len(COLOURS)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(vals))
        lines.append(
            {
                "points": points,
                "colour": colour,
                "dash": "" if row["status"] == "elected" else "6 3",
                "label": f"{row['number']} {row['name']}"
                + (" ✓" if row["status"] == "elected" else ""),
                "ly": top_pad + 14 + 18 * k,
                "last_x": f"{x(len(vals) - 1) if vals else left:.1f}",
                "last_y": f"{y(vals[-1]) if vals else y(0):.1f}",
            }
        )
    ticks = [{"v": f"{top * i / 4:g}", "y": f"{y(top * i / 4):.1f}"} for i in range(5)]
    context = {
        "width": width,
        "height": height,
        "left": left,
        "plot_right": left + plot_w,
        "top_pad": top_pad,
        "bottom_y": top_pad + plot_h,
        "lines": lines,
        "ticks": ticks,
        "xs": [{"x": f"{x(i):.1f}", "label": i + 1} for i in range(stages)],
        "quota_y": f"{y(float(sheet['quota'])):.1f}" if sheet.get("quota") else None,
        "legend_x": left + plot_w + 16,
        "title": f"Tallies stage by stage, election of the {_purpose_words(election)}",
    }
    return render(request, "web/elections/chart.svg", context, content_type="image/svg+xml")


def _download(content: str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _counted_or_404(public_id: str) -> Election:
    election = _election_or_404(public_id)
    if election.state != Election.State.COUNTED:
        raise Http404("Nothing is published before the count.")
    return election


@require_GET
def download_ballots(request: HttpRequest, public_id: str) -> HttpResponse:
    election = _counted_or_404(public_id)
    return _download(election.published_ballots, "ballots.blt", "text/plain; charset=utf-8")


@require_GET
def download_trackers(request: HttpRequest, public_id: str) -> HttpResponse:
    election = _counted_or_404(public_id)
    text = election.published_trackers + ("\n" if election.published_trackers else "")
    return _download(text, "trackers.txt", "text/plain; charset=utf-8")


@require_GET
def download_sheet(request: HttpRequest, public_id: str) -> HttpResponse:
    election = _counted_or_404(public_id)
    return _download(
        json.dumps(election.count_sheet, indent=2, ensure_ascii=False) + "\n",
        "count-sheet.json",
        "application/json",
    )


@require_GET
@service_denials
def download_roll(request: HttpRequest, public_id: str) -> HttpResponse:
    """Who voted. Names are for members of the body, like its member list."""
    election = _election_or_404(public_id)
    viewer = queries.member_viewer(request.user)
    permissions.require(
        permissions.belongs_to(viewer, _member_base(election.body)),
        f"who voted is shown to members of {election.body.name}; sign in if you are one",
    )
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    public = elected_by_delegates(election.body, election.purpose)
    header = ["member_no", "given_name", "family_name"]
    if public:
        header += ["weight", "ranking"]
    writer.writerow(header)
    for entry in esel.election_roll(election):
        row = [entry.member.member_no, entry.member.given_name, entry.member.family_name]
        if public:
            row += [str(entry.weight), " ".join(str(n) for n in entry.public_ranking or [])]
        writer.writerow(row)
    return _download(out.getvalue(), "roll.csv", "text/csv; charset=utf-8")


# ----------------------------------------------------------------------------- recall


@require_http_methods(["GET", "POST"])
@service_denials
def recall_start(request: HttpRequest, seat_id: int) -> HttpResponse:
    seat = _seat_or_404(seat_id)
    viewer = queries.member_viewer(request.user)
    error = ""
    reason = ""
    if request.method == "POST":
        reason = request.POST.get("reason", "")[:4000]
        try:
            petition = services.recall_petition_start(user=request.user, seat=seat, reason=reason)
        except ElectionError as exc:
            error = str(exc).capitalize() + "."
        else:
            messages.success(request, "The petition is started, with your signature first.")
            return redirect("recall", petition.public_id)
    from collegium.federation.selectors import charter_as_dict

    charter = charter_as_dict(seat.body)
    return render(
        request,
        "web/elections/recall_start.html",
        {
            "seat": seat,
            "body": seat.body,
            "ancestors": fsel.body_ancestors(seat.body),
            "may_start": in_electorate(viewer, seat.body, seat.role),
            "petitions": list(esel.seat_recalls(seat)),
            "charter": charter,
            "error": error,
            "reason": reason,
        },
        status=400 if error else 200,
    )


@require_GET
def recall_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    petition = _recall_or_404(public_id)
    viewer = queries.member_viewer(request.user)
    seat = petition.seat
    signed = viewer is not None and petition.signatures.filter(member=viewer).exists()
    voted = (
        viewer is not None
        and RecallRollEntry.objects.filter(petition=petition, member=viewer).exists()
    )
    now = timezone.now()
    count = petition.signatures.count()
    return render(
        request,
        "web/elections/recall_detail.html",
        {
            "petition": petition,
            "seat": seat,
            "body": seat.body,
            "ancestors": fsel.body_ancestors(seat.body),
            "signatures": count,
            "percent": min(100, round(100 * count / max(petition.signatures_needed, 1))),
            "signed": signed,
            "voted": voted,
            "is_elector": in_electorate(viewer, seat.body, seat.role),
            "collecting": petition.state == RecallPetition.State.COLLECTING
            and now < petition.collect_until,
            "ballot_open": petition.state == RecallPetition.State.BALLOT
            and petition.ballot_closes_at is not None
            and now < petition.ballot_closes_at,
            "ballot_closed": petition.state == RecallPetition.State.BALLOT
            and petition.ballot_closes_at is not None
            and now >= petition.ballot_closes_at,
            "choices": RecallBallot.Choice.choices,
            "result": petition.result,
            "ballots_cast": RecallRollEntry.objects.filter(petition=petition).count(),
        },
    )


@require_POST
@service_denials
def recall_sign(request: HttpRequest, public_id: str) -> HttpResponse:
    petition = _recall_or_404(public_id)
    try:
        petition = services.recall_petition_sign(user=request.user, petition=petition)
    except ElectionError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        if petition.state == RecallPetition.State.BALLOT:
            messages.success(
                request,
                "You signed. The petition reached its threshold: the recall ballot is open.",
            )
        else:
            messages.success(request, "You signed the petition.")
    return redirect("recall", petition.public_id)


@require_POST
@service_denials
def recall_vote(request: HttpRequest, public_id: str) -> HttpResponse:
    petition = _recall_or_404(public_id)
    try:
        tracker = services.recall_ballot_cast(
            user=request.user, petition=petition, choice=request.POST.get("choice", "")
        )
    except ElectionError as exc:
        messages.error(request, str(exc).capitalize() + ".")
        return redirect("recall", petition.public_id)
    response = render(
        request,
        "web/elections/recall_cast.html",
        {
            "petition": petition,
            "seat": petition.seat,
            "body": petition.seat.body,
            "ancestors": fsel.body_ancestors(petition.seat.body),
            "tracker": tracker,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@service_denials
def recall_count(request: HttpRequest, public_id: str) -> HttpResponse:
    petition = _recall_or_404(public_id)
    permissions.require(request.user.is_authenticated, "sign in to start the count")
    try:
        services.recall_count(petition=petition)
    except ElectionError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        messages.success(request, "The recall ballot is counted.")
    return redirect("recall", petition.public_id)


# -------------------------------------------------------------- delegates and mandates


@require_GET
def delegates(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    viewer = queries.member_viewer(request.user)
    delegate_seats = list(esel.delegate_seats(body))
    mandates = []
    for mandate in esel.body_mandates(body):
        votes = esel.member_votes(mandate)
        mandates.append(
            {
                "mandate": mandate,
                "rows": [{"seat": s, "vote": votes.get(s.holder_id)} for s in delegate_seats]
                + [
                    {"seat": None, "vote": v, "former": v.delegate}
                    for v in votes.values()
                    if v.delegate_id not in {s.holder_id for s in delegate_seats}
                ],
                "viewer_vote": votes.get(viewer.pk) if viewer else None,
            }
        )
    own_seats = (
        list(
            Seat.objects.filter(holder=viewer, body=body, vacated_on__isnull=True).order_by("role")
        )
        if viewer
        else []
    )
    return render(
        request,
        "web/elections/delegates.html",
        {
            "body": body,
            "ancestors": fsel.body_ancestors(body),
            "delegate_seats": delegate_seats,
            "board": list(esel.board_seats(body)),
            "mandates": mandates,
            "is_board": permissions.holds_seat(viewer, body),
            "is_delegate": any(s.holder_id == getattr(viewer, "pk", None) for s in delegate_seats),
            "positions": MandatePosition.choices,
            "votes": DelegateVote.Vote.choices,
            "time_away": esel.time_away(body),
            "own_seats": own_seats,
            "today": timezone.localdate().isoformat(),
            "recalls": list(esel.body_recalls(body)[:20]),
            "pending_proposals": esel.mandate_questions(body),
        },
    )


@require_POST
@service_denials
def mandate_adopt(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    proposal = None
    if request.POST.get("proposal"):
        proposal = dsel.proposal_by_public_id(request.POST["proposal"])
        if proposal is None:
            raise Http404("There is no proposal with this id.")
    try:
        services.mandate_adopt(
            user=request.user,
            body=body,
            question=request.POST.get("question", "")[:2000],
            position=request.POST.get("position", ""),
            proposal=proposal,
        )
    except ElectionError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        messages.success(request, "The mandate is adopted and on the public record.")
    return redirect("delegates", body.code)


@require_POST
@service_denials
def delegate_vote(request: HttpRequest, public_id: str) -> HttpResponse:
    from collegium.elections.models import Mandate

    mandate = Mandate.objects.select_related("body").filter(public_id=public_id).first()
    if mandate is None:
        raise Http404("There is no such mandate.")
    try:
        recorded = services.delegate_vote_record(
            user=request.user, mandate=mandate, vote=request.POST.get("vote", "")
        )
    except ElectionError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        if recorded.breach:
            messages.success(
                request,
                "Your vote is recorded. It departs from the mandate, and is flagged as a breach "
                "for your constituents to see.",
            )
        else:
            messages.success(request, "Your vote is recorded beside the mandate.")
    return redirect("delegates", mandate.body.code)


@require_POST
@service_denials
def time_away(request: HttpRequest, seat_id: int) -> HttpResponse:
    seat = _seat_or_404(seat_id)
    since: dt.date | None = None
    if request.POST.get("back") != "1":
        try:
            since = dt.date.fromisoformat(request.POST.get("since", "").strip())
        except ValueError:
            messages.error(request, "Give the date you began working full time for the body.")
            return redirect("delegates", seat.body.code)
    try:
        services.seat_full_time_set(user=request.user, seat=seat, since=since)
    except ElectionError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        messages.success(
            request,
            "Recorded: you work full time for the body."
            if since
            else "Welcome back to production.",
        )
    return redirect("delegates", seat.body.code)
