"""On a phone in a real Chromium: a member ranks alternatives and signs an initiative; a
board member calls a meeting and downloads its minutes. No CSP violation, nothing wider
than the screen."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from tests.e2e.test_browser import CHROMIUM, PHONE, Console, sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium here (apt-get install chromium)"
    ),
]


def test_rank_alternatives_and_sign_an_initiative(
    federation: Any, live_server: Any, browser: Any
) -> None:
    from collegium.decisions.alternatives import alternatives_open
    from collegium.decisions.initiatives import initiative_start
    from collegium.decisions.models import Initiative, ReferendumBallot
    from collegium.federation.models import Charter

    f = federation
    vote = alternatives_open(
        user=f.board_member.user,
        body=f.enterprise,
        title="Where should the crèche go?",
        text="Three sites.",
        options=["By the gate", "Beside the canteen", "In the settlement"],
        closes_at=timezone.now() + dt.timedelta(days=2),
    )
    Charter.objects.create(body=f.enterprise, initiative_threshold_pct=100)
    initiative = initiative_start(
        user=f.board_member.user, body=f.enterprise, title="Heated changing rooms", text="Heat."
    )
    console = Console()
    page = console.attach(browser.new_page(viewport=PHONE))
    base = live_server.url
    sign_in(page, base, f.worker.user.username)
    page.goto(f"{base}/waiting/")
    page.get_by_role("link", name="Where should the crèche go? (Sormovo Works)").click()
    page.get_by_label("Your rank for Beside the canteen").select_option("1")
    page.get_by_label("Your rank for In the settlement").select_option("2")
    page.get_by_role("button", name="Cast my secret ballot").click()
    page.wait_for_selector(".tracker code")
    assert list(ReferendumBallot.objects.filter(decision=vote).values_list("ranking", flat=True))
    assert ReferendumBallot.objects.get(decision=vote).ranking == [1, 2]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.goto(f"{base}/initiatives/{initiative.public_id}/")
    page.get_by_role("button", name="Sign the initiative").click()
    page.wait_for_selector("text=You have signed this initiative.")
    assert Initiative.objects.get(pk=initiative.pk).signatures.count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    console.check()


def test_call_a_meeting_and_download_the_minutes(
    federation: Any, live_server: Any, browser: Any
) -> None:
    from collegium.decisions.services import proposal_submit

    f = federation
    proposal_submit(user=f.worker.user, body=f.enterprise, title="A second crane", text="Buy.")
    console = Console()
    page = console.attach(browser.new_page(viewport=PHONE, accept_downloads=True))
    base = live_server.url
    sign_in(page, base, f.board_member.user.username)
    page.goto(f"{base}/bodies/sormovo/meetings/")
    assert page.get_by_text("A second crane").count() == 1
    starts = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Starts").fill(starts)
    page.get_by_role("textbox", name="Place").fill("Works club")
    page.get_by_role("button", name="Call the meeting").click()
    page.wait_for_selector("h1:has-text('Board meeting')")
    assert page.locator("ol.agenda > li").count() == 1
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the draft minutes (PDF)").click()
    path = download.value.path()
    assert path is not None and path.read_bytes()[:5] == b"%PDF-"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    console.check()
