"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated)
    return {
        "federation_name": settings.COLLEGIUM_FEDERATION_NAME,
        "current_member": getattr(user, "member", None) if signed_in else None,
        "is_operator": bool(signed_in and getattr(user, "is_operator", False)),
        "unread_notices": _unread(user) if signed_in else 0,
    }


def _unread(user: Any) -> int:
    member = getattr(user, "member", None)
    if member is None:
        return 0
    from collegium.notifications.selectors import unread_count

    return unread_count(member)
