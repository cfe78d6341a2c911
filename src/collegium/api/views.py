"""Token management pages (/api/tokens/) and the JSON 404 for unknown API paths."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from collegium.api import selectors, services


def _sign_in(request: HttpRequest) -> HttpResponse:
    try:
        return redirect_to_login(request.get_full_path())
    except NoReverseMatch:  # no login page configured
        return HttpResponseForbidden("Sign in to manage your API tokens.")


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    """List the signed-in user's tokens; POST makes a new one and shows it once."""
    if not request.user.is_authenticated:
        return _sign_in(request)
    new_token = None
    error = None
    status = 200
    if request.method == "POST":
        try:
            new_token = services.api_token_create(
                user=request.user, name=request.POST.get("name", "")
            )
        except services.TokenError as exc:
            error = str(exc)
            status = 400
    response = render(
        request,
        "api/tokens.html",
        {
            "tokens": selectors.tokens_of(request.user),
            "new_token": new_token,
            "error": error,
            "name": request.POST.get("name", "") if error else "",
        },
        status=status,
    )
    if new_token is not None:
        # The secret is in this page only: keep it out of every cache.
        response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return _sign_in(request)
    token = selectors.token_of(request.user, token_id)
    if token is None:
        return render(
            request,
            "api/tokens.html",
            {
                "tokens": selectors.tokens_of(request.user),
                "error": "You have no such token.",
            },
            status=404,
        )
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, f"The token “{token.name}” is revoked; it no longer works.")
    return redirect("api-tokens")


@csrf_exempt  # answers 404 to every method; changes nothing
def not_found(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        {"detail": f"no API endpoint at {request.path}; see /api/docs for the list"},
        status=404,
    )
