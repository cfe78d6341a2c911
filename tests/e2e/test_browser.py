"""The pages in a real Chromium: navigation, a charter change, a phone-sized screen, and
no Content-Security-Policy violation anywhere.

Skipped where ``/usr/bin/chromium`` is missing (``apt-get install chromium``); CI always
has it. ``COLLEGIUM_SCREENSHOT_URL`` (a running demo, e.g. ``http://127.0.0.1:8000``)
additionally takes the screenshots in ``docs/screenshots/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium here (apt-get install chromium)"
    ),
]


class Console:
    """Collects console errors; any CSP violation fails the test."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def attach(self, page: Any) -> Any:
        page.on(
            "console",
            lambda m: m.type in ("error", "warning") and self.errors.append(f"{m.type}: {m.text}"),
        )
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        return page

    def check(self) -> None:
        bad = [
            e
            for e in self.errors
            if "Content Security Policy" in e or "Content-Security-Policy" in e or "pageerror" in e
        ]
        assert not bad, bad


def sign_in(page: Any, base: str, username: str, password: str = "pw") -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Member number or user name").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_browse_and_change_a_charter(federation: Any, live_server: Any, browser: Any) -> None:
    from collegium.federation.selectors import charter_as_dict

    base = live_server.url
    console = Console()
    page = console.attach(browser.new_page(viewport=DESKTOP))
    page.goto(f"{base}/bodies/")
    page.get_by_role("link", name="Sormovo Works").click()
    page.wait_for_url(f"{base}/bodies/sormovo/")
    assert "counting every workplace below it" in page.content()
    assert page.get_by_text("sign in").count() >= 1
    assert page.locator("#member-list").count() == 0

    sign_in(page, base, "1002")
    assert page.get_by_text("Your place in the federation").is_visible()
    page.get_by_role("link", name="Bodies").click()
    page.get_by_role("link", name="Sormovo Works").click()
    page.wait_for_url(f"{base}/bodies/sormovo/")
    # The member search runs through htmx without a full reload.
    page.get_by_label("Search members by name or number").fill("Petrova")
    page.wait_for_url(re.compile(r".*\?q=Petrova"))
    page.locator("#member-list").get_by_text("Petrova, Anna").wait_for()
    assert page.locator("#member-list tbody tr").count() == 1
    page.locator("#member-list").get_by_role("link", name="Petrova, Anna").click()
    page.wait_for_url(re.compile(r".*/members/m_[0-9a-f]+/"))
    assert page.get_by_role("heading", name="Anna Petrova").is_visible()

    page.goto(f"{base}/bodies/sormovo/charter/")
    page.get_by_label("Board seats").fill("9")
    page.get_by_label("Production-worker quota").fill("101")
    page.get_by_label("Reason for the change (required)").fill("Two new shops joined.")
    page.get_by_role("button", name="Change the charter").click()
    assert page.get_by_text("101 is out of range").is_visible()
    assert charter_as_dict(federation.enterprise)["board_seats"] == 7
    page.get_by_label("Production-worker quota").fill("")
    page.get_by_role("button", name="Change the charter").click()
    page.get_by_text("The charter is changed").wait_for()
    assert charter_as_dict(federation.enterprise)["board_seats"] == 9

    # The change is on the record; filter the record with htmx and open the entry.
    page.get_by_role("link", name="Record", exact=True).click()
    page.get_by_label("Kind of entry").select_option("charter.changed")
    page.wait_for_url(re.compile(r".*kind=charter.changed"))
    page.locator("#record-entries ol.entries li").first.wait_for()
    assert page.locator("#record-entries ol.entries li").count() == 1
    page.locator("#record-entries a.index").first.click()
    page.get_by_role("heading", name="Proof of inclusion").wait_for()
    # Back restores the filtered list (history restore asks the server again).
    page.go_back()
    page.wait_for_url(re.compile(r".*kind=charter.changed"))
    page.locator("#record-entries a.index").first.wait_for()

    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("link", name="Sign in", exact=True).wait_for()
    console.check()


def test_phone_layout(federation: Any, live_server: Any, browser: Any) -> None:
    base = live_server.url
    console = Console()
    context = browser.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
    page = console.attach(context.new_page())
    sign_in(page, base, "1001")
    for path in (
        "/",
        "/bodies/",
        "/bodies/sormovo/",
        f"/members/{federation.worker.public_id}/",
        "/record/",
        "/record/0/",
        "/bodies/sormovo/charter/",
    ):
        page.goto(base + path)
        # Nothing wider than the screen: no sideways scrolling on a phone.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], (path, width)
    # Keyboard: the skip link comes first and moves focus to the content.
    page.goto(f"{base}/bodies/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    context.close()
    console.check()


SCREENSHOT_PAGES = [
    ("home", "/", None),
    ("tree", "/bodies/", None),
    ("body-public", "/bodies/{enterprise}/", None),
    ("body-member", "/bodies/{enterprise}/", "member"),
    ("member", "/members/{member_id}/", "member"),
    ("charter-edit", "/bodies/{enterprise}/charter/", "board"),
    ("record", "/record/", None),
    ("record-entry", "/record/{entry}/", None),
    ("checkpoints", "/record/checkpoints/", None),
    ("login", "/accounts/login/", None),
    ("import", "/import/", "operator"),
    ("board-home", "/", "board"),
]


@pytest.mark.skipif(
    not os.environ.get("COLLEGIUM_SCREENSHOT_URL"),
    reason="set COLLEGIUM_SCREENSHOT_URL to a running demo to take screenshots",
)
def test_screenshots(browser: Any) -> None:
    """Screenshots for the user guide, from a running demo (``collegium demo``).

    ``COLLEGIUM_SCREENSHOT_LOGINS`` holds ``role:user:password`` triples separated by
    spaces, as the demo prints them.
    """
    base = os.environ["COLLEGIUM_SCREENSHOT_URL"].rstrip("/")
    logins = {
        role: (user, pw)
        for role, user, pw in (
            item.split(":", 2) for item in os.environ.get("COLLEGIUM_SCREENSHOT_LOGINS", "").split()
        )
    }
    values = dict(
        item.split("=", 1) for item in os.environ.get("COLLEGIUM_SCREENSHOT_VALUES", "").split()
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    console = Console()
    for size_name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        contexts: dict[str | None, Any] = {}
        for name, path, role in SCREENSHOT_PAGES:
            if role not in contexts:
                context = browser.new_context(viewport=viewport, device_scale_factor=1)
                page = console.attach(context.new_page())
                if role is not None:
                    user, pw = logins[role]
                    sign_in(page, base, user, pw)
                contexts[role] = page
            page = contexts[role]
            page.goto(base + path.format(**values))
            page.screenshot(
                path=str(SCREENSHOTS / f"{name}-{size_name}.png"), full_page=size_name == "desktop"
            )
        shot = SCREENSHOTS / f"{{}}-{size_name}.png"
        # The import preview and a file with errors (nothing is imported without confirm).
        page = contexts["operator"]
        for name, text in (("import-preview", GOOD_CSV), ("import-errors", BAD_CSV)):
            page.goto(f"{base}/import/")
            page.get_by_label("Bodies (code").check()
            page.get_by_label("CSV file (UTF-8)").set_input_files(
                files=[{"name": "bodies.csv", "mimeType": "text/csv", "buffer": text.encode()}]
            )
            page.get_by_role("button", name="Check the file").click()
            page.wait_for_load_state()
            page.screenshot(path=str(shot).format(name), full_page=size_name == "desktop")
        # A charter change refused for an out-of-range value.
        page = contexts["board"]
        page.goto(base + "/bodies/{enterprise}/charter/".format(**values))
        page.get_by_label("Production-worker quota").fill("120")
        page.get_by_role("button", name="Change the charter").click()
        page.get_by_text("out of range").first.scroll_into_view_if_needed()
        page.screenshot(path=str(shot).format("charter-error"), full_page=False)
        for page in contexts.values():
            page.context.close()
    console.check()
    _shrink(SCREENSHOTS)


def _shrink(folder: Path) -> None:
    """256 colours are plenty for these pages and keep the repository small."""
    from PIL import Image

    for path in folder.glob("*.png"):
        with Image.open(path) as image:
            small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
        small.save(path, optimize=True)


GOOD_CSV = (
    "code,name,kind,parent_code\n"
    "sormovo-paint,Paint shop,shop,sormovo\n"
    "sormovo-conditions,Conditions Commission of Sormovo,commission,sormovo\n"
)
BAD_CSV = (
    "code,name,kind,parent_code\n"
    "sormovo-paint,Paint shop,workshop,sormovo\n"
    "sormovo-store,,shop,sormovo\n"
    "sormovo-yard,Yard,shop,nowhere\n"
)
