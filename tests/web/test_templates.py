"""Static checks over the templates and static files: what the CSP forbids never appears."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import collegium.web

pytestmark = pytest.mark.nodb

WEB = Path(collegium.web.__file__).parent
TEMPLATES = sorted((WEB / "templates").rglob("*.html"))


def test_templates_exist() -> None:
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(WEB)))
def test_no_inline_styles_or_scripts(path: Path) -> None:
    text = path.read_text()
    assert not re.search(r"\sstyle\s*=", text), "inline style attribute"
    assert "<style" not in text, "style element"
    assert not re.search(r"\son[a-z]+\s*=", text), "inline event handler"
    assert "javascript:" not in text
    for tag in re.findall(r"<script\b[^>]*>", text):
        assert "src=" in tag, f"inline script: {tag}"


def test_htmx_is_vendored_with_its_licence() -> None:
    vendor = WEB / "static" / "web" / "vendor"
    assert (vendor / "htmx.min.js").stat().st_size > 30_000
    assert "Zero-Clause BSD" in (vendor / "htmx.LICENSE.txt").read_text()
    assert 'version:"2.' in (vendor / "htmx.min.js").read_text()


def test_stylesheet_loads_nothing_from_outside() -> None:
    css = (WEB / "static" / "web" / "collegium.css").read_text()
    assert "@import" not in css and "http://" not in css and "https://" not in css


def test_record_entry_kinds_read_in_plain_words() -> None:
    from collegium.web.templatetags.collegium import entry_kind

    assert entry_kind("charter.changed") == "Charter changed"
    assert entry_kind("election.voted") == "Ballot cast"
    # A kind without a label still reads as words.
    assert entry_kind("plan.variant_adopted") == "Plan: variant adopted"


def test_yes_no_charter_rules_read_yes_or_no() -> None:
    from types import SimpleNamespace

    from collegium.web.templatetags.collegium import charter_value, charter_value_of

    assert charter_value(SimpleNamespace(value=1, unit="(1 = yes, 0 = no)")) == "yes"
    assert charter_value(SimpleNamespace(value=7, unit="seats")) == "7 seats"
    assert charter_value_of(0, "vacancy_countback") == "no"
    assert charter_value_of(24, "term_months") == "24 months"
