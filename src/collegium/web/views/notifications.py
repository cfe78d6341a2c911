"""A member's notices: what awaits them."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from collegium.notifications.selectors import notifications_for, unread_count
from collegium.notifications.services import notifications_mark_read
from collegium.web.views import paginate


def _member(request: HttpRequest):  # type: ignore[no-untyped-def]
    member = getattr(request.user, "member", None)
    if member is None:
        raise Http404("Notices are for members.")
    return member


@login_required
@require_http_methods(["GET"])
def notification_list(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    page = paginate(request, notifications_for(member))
    return render(request, "web/notifications.html", {"page": page, "unread": unread_count(member)})


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    member = _member(request)
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    notifications_mark_read(member=member, ids=ids)
    return redirect("notifications")
