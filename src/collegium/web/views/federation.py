"""The federation: home, the tree of bodies, a body's page, a member's page, charters."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from collegium.elections.selectors import board_seats, delegate_seats
from collegium.federation import permissions, selectors
from collegium.federation.models import Body, BodyKind, Member
from collegium.federation.services import CharterChangeError, charter_change
from collegium.record import selectors as record_selectors
from collegium.web import queries
from collegium.web.forms import CharterForm, MemberSearchForm
from collegium.web.views import body_or_404, is_partial, paginate, service_denials, vary_on_htmx

LATEST_ENTRIES = 10


def home(request: HttpRequest) -> HttpResponse:
    viewer = queries.member_viewer(request.user)
    context: dict[str, object] = {
        "body_count": Body.objects.exclude(kind=BodyKind.COMMISSION).count(),
        "commission_count": Body.objects.filter(kind=BodyKind.COMMISSION).count(),
        "member_count": Member.objects.filter(active=True).count(),
        "congress": Body.objects.filter(kind=BodyKind.CONGRESS).first(),
        "viewer": viewer,
        "can_import": permissions.can_import(request.user),
    }
    if viewer is not None:
        context["viewer_bodies"] = selectors.member_bodies(viewer)
        context["viewer_seats"] = list(queries.current_seats(viewer))
        context["open_elections"], context["open_recalls"] = queries.open_in_bodies(
            list(context["viewer_bodies"])  # type: ignore[call-overload]
        )
    return render(request, "web/home.html", context)


def body_tree(request: HttpRequest) -> HttpResponse:
    bodies = selectors.body_tree()
    counts = selectors.member_counts_by_body()
    kinds = dict(Body.objects.values_list("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return render(
        request,
        "web/body_tree.html",
        {
            "rows": queries.tree_rows(bodies, counts),
            "kind_counts": [(label, kinds.get(value, 0)) for value, label in BodyKind.choices],
        },
    )


def _member_list_context(request: HttpRequest, body: Body) -> dict[str, object]:
    form = MemberSearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    members = queries.member_search(selectors.body_members(body), text)
    return {
        "search_form": form,
        "q": text,
        "member_query": urlencode({"q": text}) if text else "",
        "page": paginate(request, members),
    }


def body_detail(request: HttpRequest, code: str) -> HttpResponse:
    body = body_or_404(code)
    viewer = queries.member_viewer(request.user)
    may_list = permissions.belongs_to(viewer, body)
    if may_list and body.kind != BodyKind.COMMISSION and is_partial(request, "member-list"):
        fragment = {"body": body, "partial": True, **_member_list_context(request, body)}
        return vary_on_htmx(render(request, "web/_member_list.html", fragment))
    is_commission = body.kind == BodyKind.COMMISSION
    open_elections, open_recalls = queries.open_in_bodies([body])
    members = queries.commission_members(body) if is_commission else selectors.body_members(body)
    composition = selectors.composition(members)
    total = sum(c.count for c in composition)
    entries = list(record_selectors.entries(body_code=body.code)[:LATEST_ENTRIES])
    children = queries.body_children(body)
    context: dict[str, object] = {
        "body": body,
        "ancestors": selectors.body_ancestors(body),
        "units": [c for c in children if c.kind != BodyKind.COMMISSION],
        "commissions": [c for c in children if c.kind == BodyKind.COMMISSION],
        "seats": list(board_seats(body)),
        "delegates": list(delegate_seats(body)) if body.parent_id and not is_commission else [],
        "bars": queries.composition_bars(composition),
        "total": total,
        "charter": selectors.charter_effective(body),
        "entries": entries,
        "entry_bodies": queries.entries_page_bodies(entries),
        "actor_names": queries.entry_actor_names(entries, request.user),
        "open_elections": open_elections,
        "open_recalls": open_recalls,
        "may_list": may_list and not is_commission,
        "is_commission": is_commission,
        "viewer": viewer,
        "can_change_charter": permissions.can_change_charter(request.user, body),
    }
    if may_list and not is_commission:
        context.update(_member_list_context(request, body))
    return vary_on_htmx(render(request, "web/body_detail.html", context))


def member_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    member = queries.member_by_public_id(public_id)
    if member is None:
        raise Http404("There is no member with this id.")
    if not permissions.can_see_member(request.user, member):
        if not request.user.is_authenticated:
            raise DjangoPermissionDenied(
                "Members' pages are open to members of the same bodies. Sign in to see it."
            )
        raise DjangoPermissionDenied(
            "Members' pages are open only to members of the bodies this member belongs to."
        )
    activity = paginate(request, queries.actor_entries(member.public_id), 20)
    return render(
        request,
        "web/member_detail.html",
        {
            "member": member,
            "bodies": selectors.member_bodies(member),
            "seats": list(queries.current_seats(member)),
            "activity": activity,
            "entry_bodies": queries.entries_page_bodies(list(activity)),
            "is_self": getattr(request.user, "pk", None) == member.user_id,
        },
    )


@require_http_methods(["GET", "POST"])
@service_denials
def charter(request: HttpRequest, code: str | None = None) -> HttpResponse:
    body = body_or_404(code) if code is not None else None
    allowed = permissions.can_change_charter(request.user, body)
    own = queries.charter_own(body)
    inherited = (
        selectors.charter_as_dict(body.parent if body.parent_id else None)
        if body is not None
        else None
    )
    form = None
    if allowed:
        if request.method == "POST":
            form = CharterForm(request.POST, inherited=inherited, federation_default=body is None)
            if form.is_valid():
                try:
                    charter_change(
                        user=request.user,
                        body=body,
                        changes=form.changes(),
                        reason=form.cleaned_data["reason"],
                    )
                except CharterChangeError as exc:
                    form.add_service_errors(exc.errors)
                else:
                    messages.success(
                        request, "The charter is changed, and the change is on the public record."
                    )
                    target = (
                        reverse("charter", args=[body.code]) if body else reverse("charter_default")
                    )
                    return redirect(target)
        else:
            form = CharterForm(own=own, inherited=inherited, federation_default=body is None)
    authority = permissions.charter_authority(body)
    if not allowed and request.method == "POST":
        raise DjangoPermissionDenied(
            f"Only members of the board of {authority.name if authority else 'the congress'} "
            "may change this charter."
        )
    status = 400 if form is not None and form.is_bound and form.errors else 200
    return render(
        request,
        "web/charter.html",
        {
            "body": body,
            "ancestors": selectors.body_ancestors(body) if body else [],
            "values": selectors.charter_effective(body),
            "reasons": selectors.moderation_reasons(body),
            "form": form,
            "authority": authority,
            "history": queries.charter_history(body)[:50],
        },
        status=status,
    )
