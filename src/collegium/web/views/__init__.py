"""Web pages. Each view parses the request, checks permission and calls services or
selectors; nothing here changes state by itself."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from collegium.federation.permissions import PermissionDenied

PAGE_SIZE = 50


def service_denials(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Turn a service's ``PermissionDenied`` into the 403 page, with its message."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as exc:
            raise DjangoPermissionDenied(str(exc)) from exc

    return wrapper


def body_or_404(code: str) -> Any:
    """The body with this code, or the 404 page saying so."""
    from django.http import Http404

    from collegium.federation.selectors import body_by_code

    body = body_by_code(code)
    if body is None:
        raise Http404(f"There is no body with the code {code!r}.")
    return body


def is_partial(request: HttpRequest, target: str) -> bool:
    """An htmx request that only wants the fragment ``target`` (not a history restore)."""
    return (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-History-Restore-Request") != "true"
        and request.headers.get("HX-Target") == target
    )


def vary_on_htmx(response: HttpResponse) -> HttpResponse:
    patch_vary_headers(response, ("HX-Request", "HX-Target"))
    return response


def paginate(request: HttpRequest, items: Any, size: int = PAGE_SIZE) -> Page[Any]:
    return Paginator(items, size).get_page(request.GET.get("page"))
