"""The OpenAPI document and the interactive docs page under the strict CSP."""

from __future__ import annotations

import json
import re
import shutil
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

EXPECTED = {
    "/api/bodies": {"get"},
    "/api/bodies/{code}": {"get"},
    "/api/bodies/{code}/members": {"get"},
    "/api/members/{public_id}": {"get"},
    "/api/me": {"get"},
    "/api/charter": {"get", "patch"},
    "/api/charter/history": {"get"},
    "/api/bodies/{code}/charter": {"get", "patch"},
    "/api/bodies/{code}/charter/history": {"get"},
    "/api/record": {"get"},
    "/api/record/entries": {"get"},
    "/api/record/entries/{index}": {"get"},
    "/api/record/consistency": {"get"},
    "/api/record/checkpoints": {"get"},
    "/api/record/checkpoint": {"get"},
    "/api/record/checkpoints/{size}": {"get"},
    "/api/record/verifier": {"get"},
    "/api/me/tokens": {"get", "post"},
    "/api/me/tokens/{token_id}": {"delete"},
    "/api/elections/bodies/{code}": {"get", "post"},
    "/api/elections/bodies/{code}/mandates": {"get", "post"},
    "/api/elections/mandates/{public_id}/votes": {"post"},
    "/api/elections/recalls/{public_id}": {"get"},
    "/api/elections/recalls/{public_id}/ballots": {"post"},
    "/api/elections/recalls/{public_id}/signatures": {"post"},
    "/api/elections/seats/{seat_id}/recalls": {"post"},
    "/api/elections/{public_id}": {"get"},
    "/api/elections/{public_id}/ballots": {"post"},
    "/api/elections/{public_id}/ballots.blt": {"get"},
    "/api/elections/{public_id}/cancel": {"post"},
    "/api/elections/{public_id}/count": {"post"},
    "/api/elections/{public_id}/nominations": {"post"},
    "/api/elections/{public_id}/nominations/{nomination_id}/accept": {"post"},
    "/api/elections/{public_id}/nominations/{nomination_id}/cosign": {"post"},
    "/api/elections/{public_id}/open": {"post"},
    "/api/elections/{public_id}/results": {"get"},
    "/api/elections/{public_id}/trackers.txt": {"get"},
    "/api/decisions/bodies/{code}": {"get"},
    "/api/decisions/bodies/{code}/proposals": {"post"},
    "/api/decisions/proposals/{public_id}": {"get"},
    "/api/decisions/proposals/{public_id}/versions": {"post"},
    "/api/decisions/proposals/{public_id}/comments": {"post"},
    "/api/decisions/proposals/{public_id}/amendments": {"post"},
    "/api/decisions/proposals/{public_id}/amendments/{amendment_id}/accept": {"post"},
    "/api/decisions/proposals/{public_id}/amendments/{amendment_id}/decline": {"post"},
    "/api/decisions/proposals/{public_id}/roll-call": {"post"},
    "/api/decisions/proposals/{public_id}/referendum": {"post"},
    "/api/decisions/{public_id}": {"get"},
    "/api/decisions/{public_id}/votes": {"post"},
    "/api/decisions/{public_id}/ballots": {"post"},
    "/api/decisions/{public_id}/signatures": {"post"},
    "/api/decisions/{public_id}/close": {"post"},
    "/api/decisions/{public_id}/rankings": {"post"},
    "/api/decisions/proposals/{public_id}/withdrawal": {"post"},
    "/api/bodies/{code}/initiatives": {"get", "post"},
    "/api/initiatives/{public_id}": {"get"},
    "/api/initiatives/{public_id}/signatures": {"post"},
    "/api/bodies/{code}/agenda": {"get"},
    "/api/bodies/{code}/meetings": {"get", "post"},
    "/api/meetings/{public_id}": {"get"},
    "/api/meetings/{public_id}/minutes.pdf": {"get"},
    "/api/meetings/{public_id}/close": {"post"},
    "/api/bodies/{code}/contracts": {"get", "post"},
    "/api/contracts/{public_id}": {"get"},
    "/api/bodies/{code}/alternatives": {"post"},
    "/api/waiting": {"get"},
    "/api/conditions/bodies/{code}": {"get"},
    "/api/conditions/bodies/{code}/reports": {"post"},
    "/api/conditions/floors": {"get"},
    "/api/conditions/reports/{public_id}": {"get"},
    "/api/conditions/reports/{public_id}/photos": {"post"},
    "/api/conditions/reports/{public_id}/confirmations": {"post"},
    "/api/conditions/reports/{public_id}/remedy": {"post"},
    "/api/conditions/reports/{public_id}/escalation": {"post"},
    "/api/conditions/reports/{public_id}/done": {"post"},
    "/api/conditions/reports/{public_id}/fixed": {"post"},
    "/api/conditions/reports/{public_id}/rejection": {"post"},
    "/api/conditions/reports/{public_id}/hidden": {"post"},
    "/api/conditions/reports/{public_id}/unhidden": {"post"},
    "/api/criticism/bodies/{code}": {"get", "post"},
    "/api/criticism/mine": {"get"},
    "/api/criticism/{public_id}": {"get"},
    "/api/criticism/{public_id}/edit": {"post"},
    "/api/criticism/{public_id}/additions": {"post"},
    "/api/criticism/{public_id}/cosign": {"post"},
    "/api/criticism/{public_id}/responses": {"post"},
    "/api/criticism/{public_id}/marks": {"post"},
    "/api/criticism/{public_id}/hide": {"post"},
    "/api/criticism/{public_id}/author": {"post"},
    "/api/criticism/{public_id}/moderation/{act_id}/appeal": {"post"},
    "/api/housing/allocations/{public_id}": {"get"},
    "/api/housing/applications/{public_id}": {"get"},
    "/api/housing/applications/{public_id}/withdraw": {"post"},
    "/api/housing/bodies/{code}/allocations": {"post"},
    "/api/housing/bodies/{code}/applications": {"post"},
    "/api/housing/bodies/{code}/dwellings": {"get", "post"},
    "/api/housing/bodies/{code}/dwellings/import": {"post"},
    "/api/housing/bodies/{code}/list": {"get"},
    "/api/housing/bodies/{code}/policy": {"get", "post"},
    "/api/housing/dwellings/{code}": {"get", "put"},
    "/api/housing/dwellings/{code}/occupancies": {"post"},
    "/api/housing/occupancies/{occupancy_id}/end": {"post"},
}


@pytest.fixture
def document(db: Any) -> dict[str, Any]:
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return response.json()  # type: ignore[no-any-return]


def test_openapi_has_no_repeated_keys(db: Any) -> None:
    def refuse_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in pairs]
        assert len(keys) == len(set(keys)), f"repeated keys in {keys}"
        return dict(pairs)

    json.loads(Client().get("/api/openapi.json").content, object_pairs_hook=refuse_repeats)


def test_openapi_lists_every_path(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Collegium API"
    paths = {p: set(ops) for p, ops in document["paths"].items()}
    assert paths == EXPECTED
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            assert op["responses"], (path, method)
            assert op.get("summary"), (path, method)


def test_openapi_security(document: dict[str, Any]) -> None:
    schemes = document["components"]["securitySchemes"]
    assert schemes["BearerToken"] == {"type": "http", "scheme": "bearer"}
    assert schemes["SessionAuth"]["in"] == "cookie"
    for path in ["/api/bodies", "/api/record/entries", "/api/record/checkpoint", "/api/charter"]:
        assert {} in document["paths"][path]["get"]["security"], path  # open to the public
    private = document["paths"]["/api/me"]["get"]["security"]
    assert {} not in private
    assert {"BearerToken": []} in private
    assert document["paths"]["/api/me/tokens"]["post"]["security"] == [{"SessionAuth": []}]


def test_openapi_document_is_valid(document: dict[str, Any]) -> None:
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(document)


def test_docs_page_has_no_inline_script(db: Any) -> None:
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response.get("Content-Security-Policy", "")
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts, "the page loads Swagger UI"
    for attributes in scripts:
        assert "src=" in attributes, f"inline <script{attributes}> would be blocked by the CSP"
    assert "<style" not in html
    assert " style=" not in html
    for url in re.findall(r'(?:src|href)="/static/([^"]+)"', html):
        assert finders.find(url), f"/static/{url} is not a static file"
    assert "api/swagger-init.js" in html
    assert 'data-settings="{&quot;' in html
    assert "/api/openapi.json" in html


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _sqlite() -> bool:
    from django.db import connection

    return connection.vendor == "sqlite"


@pytest.mark.browser
@pytest.mark.skipif(_chromium() is None, reason="no Chromium found")
@pytest.mark.skipif(not _sqlite(), reason="browser tests run once, on SQLite")
def test_docs_page_runs_under_the_csp(live_server: Any, record_guards_lifted: Any) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    violations: list[str] = []
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=_chromium(), args=["--no-sandbox"])
        try:
            page = browser.new_page()
            page.on(
                "console",
                lambda m: (
                    violations.append(m.text)
                    if "Content Security Policy" in m.text or "Refused" in m.text
                    else None
                ),
            )
            page.goto(f"{live_server.url}/api/docs")
            page.wait_for_selector(".opblock", timeout=15000)
            assert page.locator(".opblock").count() >= len(EXPECTED)
            assert "Collegium API" in page.content()
        finally:
            browser.close()
    assert violations == []


def test_every_error_under_api_is_json(db: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    not_allowed = client.put("/api/bodies")
    assert not_allowed.status_code == 405
    assert "GET" in not_allowed["Allow"]
    assert "not allowed" in not_allowed.json()["detail"]
    for response in (client.get("/api/nowhere"), client.post("/api/nowhere/else")):
        assert response.status_code == 404
        assert "/api/docs" in response.json()["detail"]
    assert client.get("/api/tokens").status_code == 301  # the page, with its slash
