"""The ``NinjaAPI`` object: routers, error handlers, and the docs page under the CSP."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.conf import settings
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.docs import Swagger

from collegium.api.auth import SIGN_IN_MESSAGE, anonymous
from collegium.api.routers import (
    boards,
    conditions,
    criticism,
    decisions,
    elections,
    federation,
    housing,
    record,
    tokens,
)
from collegium.federation.permissions import PermissionDenied
from collegium.federation.services import CharterChangeError

logger = logging.getLogger(__name__)

DESCRIPTION = """\
The JSON API of Collegium: bodies and members, charters, and the public record with its
proofs and signed checkpoints. It follows the same rules as the pages: what a member may
see or change there, they may see or change here.

**Authentication.** Scripts send a personal API token as `Authorization: Bearer <token>`
(make one at [/api/tokens/](/api/tokens/)). In the browser the session is used, and
requests that change something need the CSRF token in `X-CSRFToken`. Reading the record,
the bodies and the charters needs no authentication.

**Errors** are JSON: `{"detail": "what went wrong", "errors": …}`; `errors` holds
per-field messages where there are any (422).

**Hashes** are lowercase hex. Proofs follow RFC 6962 / RFC 9162; checkpoints are C2SP
tlog-checkpoint signed notes, verified with the key at `/api/record/verifier`.
"""


class CspSwagger(Swagger):
    """Swagger UI from ninja's own static files, started by our static script.

    ninja's template keeps its settings in a ``<script type="application/json">`` data
    block (not executed, so the CSP lets it be) and sends the CSRF token only when the
    API-wide auth asks for it; ours passes the settings and the token in data attributes,
    so the page has no ``<script>`` without ``src`` at all, and "Try it out" with the
    session passes the CSRF check. (ninja's Redoc page has an inline script that the CSP
    blocks, so it is not used.)
    """

    template = "api/swagger.html"

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        self.settings["url"] = self.get_openapi_url(api, kwargs)
        context = {"swagger_settings": json.dumps(self.settings), "api": api}
        return render(request, self.template, context)


class CollegiumAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        """Mark endpoints open to the public as such (an empty security requirement)."""
        schema = super().get_openapi_schema(**kwargs)
        public = {
            operation.operation_id or self.get_openapi_operation_id(operation)
            for _prefix, router in self._routers
            for view in router.path_operations.values()
            for operation in view.operations
            if anonymous in operation.auth_callbacks
        }
        for methods in schema.get("paths", {}).values():
            for op in methods.values():
                if not isinstance(op, dict):
                    continue
                if op.get("operationId") in public:
                    op.setdefault("security", []).append({})
                _document_common_errors(op)
        return schema


def _document_common_errors(op: dict[str, Any]) -> None:
    """Answers any operation may give besides its own: 401 for a bad token (on public
    endpoints too), 422 for parameters or a body that do not parse, 400 for a body that
    is not JSON, and 405 where an id is spelled like a fixed path segment of another
    endpoint (``/elections/recalls/nominations``): that endpoint answers, and says which
    methods it allows."""
    common = {401: "A bad token, or authentication needed"}
    if op.get("parameters"):
        common[405] = "The path is another endpoint's; the detail says which methods it allows"
    if op.get("parameters") or op.get("requestBody"):
        common[422] = "The request is not valid"
    if op.get("requestBody"):
        common[400] = "The body is not JSON"
    responses = op.setdefault("responses", {})
    for status, description in common.items():
        # ninja keys responses by int; the same code as a string would repeat the key.
        if status in responses or str(status) in responses:
            continue
        responses.setdefault(
            status,
            {
                "description": description,
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
            },
        )


api = CollegiumAPI(
    title="Collegium API",
    version="1",
    description=DESCRIPTION,
    docs=CspSwagger(settings={"persistAuthorization": False}),
    urls_namespace="api",
)
api.add_router("/", federation.router)
api.add_router("/", record.router)
api.add_router("/", tokens.router)
api.add_router("/elections", elections.router)
api.add_router("/decisions", decisions.router)
api.add_router("/", boards.router)
api.add_router("/criticism", criticism.router)
api.add_router("/conditions", conditions.router)
api.add_router("/housing", housing.router)


def _error(request: HttpRequest, status: int, detail: str, errors: Any = None) -> HttpResponse:
    body: dict[str, Any] = {"detail": detail}
    if errors is not None:
        body["errors"] = errors
    return api.create_response(request, body, status=status)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = SIGN_IN_MESSAGE if exc.message == "Unauthorized" else exc.message
    response = _error(request, 401, detail)
    response["WWW-Authenticate"] = 'Bearer realm="collegium"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    detail = exc.message
    if exc.status_code == 403 and detail == "CSRF check Failed":
        detail = (
            "CSRF check failed: a signed-in browser must send the CSRF token in the "
            "X-CSRFToken header; scripts should use a personal API token instead"
        )
    return _error(request, exc.status_code, detail)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return _error(request, 403, str(exc) or "you may not do this")


@api.exception_handler(CharterChangeError)
def on_charter_error(request: HttpRequest, exc: CharterChangeError) -> HttpResponse:
    return _error(request, 422, f"the charter was not changed: {exc}", exc.errors)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    parts = []
    for err in exc.errors:
        where = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", ""))
    return _error(request, 422, "the request is not valid: " + "; ".join(parts), exc.errors)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, str(exc) or "not found")


@api.exception_handler(DataError)
def on_unstorable(request: HttpRequest, exc: DataError) -> HttpResponse:
    # PostgreSQL refuses NUL characters in text; say so instead of failing.
    return _error(request, 422, "the request holds a character that cannot be stored (NUL)")


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API request %s %s failed", request.method, request.path)
    detail = f"internal error: {exc!r}" if settings.DEBUG else "internal error"
    return _error(request, 500, detail)
