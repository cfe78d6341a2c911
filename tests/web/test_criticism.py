"""Criticism pages: the body's list with filters (query count pinned, independent of the
number of items), the publish form, one criticism with its forms, anonymity on every
page, the moderation commission's forms, and a member's own page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from collegium.criticism import services as s
from collegium.criticism.models import Criticism
from collegium.record.models import Entry
from tests.conftest import SmallFederation
from tests.criticism.conftest import Crit, build_crit

pytestmark = pytest.mark.django_db


@pytest.fixture
def crit(small_federation: SmallFederation) -> Crit:
    return build_crit(small_federation)


REASON = "Threatens or incites violence against a person"


def login(member: Any) -> Client:
    client = Client()
    client.force_login(member.user)
    return client


def publish(crit: Crit, **kw: Any) -> Criticism:
    args: dict[str, Any] = {
        "user": crit.fed.worker.user,
        "body": crit.fed.enterprise,
        "title": "Broken fans in the forge",
        "text": "The fans have not worked since March.",
    }
    args.update(kw)
    return s.criticism_publish(**args)


def test_publish_through_the_form(crit: Crit) -> None:
    client = login(crit.fed.worker)
    page = client.get("/bodies/sormovo/criticism/")
    assert page.status_code == 200 and b"Publish a criticism" in page.content
    response = client.post(
        "/bodies/sormovo/criticism/",
        {
            "target": "plan",
            "plan": "Plan 2027, line 14",
            "title": "Too little for fans",
            "text": "Line 14 leaves nothing.",
            "publicity": "bodies",
            "anonymous": "on",
        },
    )
    c = Criticism.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/criticism/{c.public_id}/"
    assert c.anonymous and c.target_plan == "Plan 2027, line 14"
    detail = client.get(response["Location"]).content.decode()
    assert "only you see this" in detail and "Anna Petrova" not in detail.split("<main")[1]


def test_bad_publish_shows_field_errors_and_changes_nothing(crit: Crit) -> None:
    client = login(crit.fed.worker)
    response = client.post(
        "/bodies/sormovo/criticism/",
        {"target": "plan", "plan": "", "title": "", "text": "x", "publicity": "bodies"},
    )
    assert response.status_code == 400
    assert b"a criticism needs a title" in response.content
    assert b"say which plan" in response.content
    other = client.post("/bodies/putilov/criticism/", {"target": "body", "title": "t", "text": "x"})
    assert other.status_code == 403 and b"do not belong to Putilov Works" in other.content
    assert Criticism.objects.count() == 0


def test_anonymous_author_named_nowhere(crit: Crit) -> None:
    fed = crit.fed
    c = publish(crit, anonymous=True)
    s.criticism_cosign(user=crit.cosigner.user, criticism=c)
    for who in (fed.board_member, crit.cosigner, fed.congress_board_member, crit.moderator):
        client = login(who)
        for url in (f"/criticism/{c.public_id}/", "/bodies/sormovo/criticism/"):
            text = client.get(url).content.decode().split("<main")[1]
            assert "Anna Petrova" not in text and fed.worker.public_id not in text, (who, url)
            assert "anonymous member" in text
    assert (
        "Boris Smirnov"
        in login(fed.board_member).get(f"/criticism/{c.public_id}/").content.decode()
    )
    mine = login(fed.worker).get("/criticism/mine/").content.decode()
    assert c.title in mine and "anonymous" in mine
    assert c.title not in login(fed.board_member).get("/criticism/mine/").content.decode()


def test_detail_forms_by_role(crit: Crit) -> None:
    fed = crit.fed
    c = publish(crit)
    url = f"/criticism/{c.public_id}/"
    board = login(fed.board_member).get(url).content.decode()
    assert "Respond for the board of Sormovo Works" in board and "Hide it" not in board
    mod = login(crit.moderator).get(url).content.decode()
    assert "Hide it for the charter reason" in mod and REASON in mod
    assert "Look at the anonymous author" not in mod  # named: nothing to look at
    worker = login(fed.worker).get(url).content.decode()
    assert "Correct the text" in worker and "Co-sign</button>" not in worker
    assert "1 of the 1 who make it" not in worker and "a mandatory item on the agenda" in worker
    assert "Co-sign</button>" in login(crit.cosigner).get(url).content.decode()
    assert Client().get(url).status_code == 403  # members of the bodies only
    assert login(fed.outsider).get(url).status_code == 403


def test_actions_and_errors(crit: Crit) -> None:
    fed = crit.fed
    c = publish(crit)
    url = f"/criticism/{c.public_id}/"
    cosigner = login(crit.cosigner)
    assert cosigner.post(url + "cosign/").status_code == 302
    again = cosigner.post(url + "cosign/")
    assert again.status_code == 400 and b"already co-signed" in again.content
    worker = login(fed.worker)
    edit = worker.post(url + "edit/", {"title": "x", "text": "y"})
    assert edit.status_code == 400 and b"only followed by additions" in edit.content
    assert worker.post(url + "add/", {"text": "Still broken."}).status_code == 302
    outsider = login(crit.cosigner2).post(url + "respond/", {"text": "No."})
    assert outsider.status_code == 403 and b"the board of Sormovo Works answers" in outsider.content
    assert (
        login(fed.board_member).post(url + "respond/", {"text": "Fans in May."}).status_code == 302
    )
    bad = worker.post(url + "mark/", {"verdict": "maybe"})
    assert bad.status_code == 400
    assert worker.post(url + "mark/", {"verdict": "unsatisfied"}).status_code == 302
    c.refresh_from_db()
    assert c.state == "escalated" and c.level_body == fed.union
    page = worker.get(url).content.decode()
    assert "Fans in May." in page and "Board of Metalworkers" in page


def test_hide_reveal_and_appeal_pages(crit: Crit) -> None:
    fed = crit.fed
    c = publish(crit, anonymous=True)
    url = f"/criticism/{c.public_id}/"
    mod = login(crit.moderator)
    bad = mod.post(url + "hide/", {"reason": "I dislike it"})
    assert bad.status_code == 400 and b"charter" in bad.content
    assert login(fed.board_member).post(url + "hide/", {"reason": REASON}).status_code == 403
    assert mod.post(url + "hide/", {"reason": REASON}).status_code == 302
    listing = login(fed.board_member).get("/bodies/sormovo/criticism/?state=hidden")
    text = listing.content.decode()
    assert "hidden by the moderation commission" in text and REASON in text
    assert c.title not in text.split("<main")[1]
    looked = mod.post(url + "reveal/", {"reason": REASON})
    assert looked.status_code == 200 and b"Anna Petrova" in looked.content
    assert looked["Cache-Control"] == "no-store"
    assert Entry.objects.filter(kind="criticism.author_looked_at").count() == 1
    assert login(fed.board_member).post(url + "reveal/", {"reason": REASON}).status_code == 403
    author = login(fed.worker)
    page = author.get(url).content.decode()
    assert "Appeal against the hiding" in page
    act = c.moderation_acts.get()
    assert author.post(url + "appeal/", {"act": act.public_id}).status_code == 302
    assert "You signed this appeal" in author.get(url).content.decode()


def test_list_filters(crit: Crit) -> None:
    fed = crit.fed
    now = timezone.now()
    publish(crit, title="Fans")
    publish(crit, title="Canteen", target="plan", plan="Plan 2027, line 3")
    late = publish(crit, title="Late one", now=now - dt.timedelta(days=20))
    client = login(fed.worker)

    def titles(query: str) -> list[str]:
        text = client.get("/bodies/sormovo/criticism/" + query).content.decode()
        return [t for t in ("Fans", "Canteen", "Late one") if f">{t}</a>" in text]

    assert titles("") == ["Fans", "Canteen", "Late one"]
    assert titles("?target=plan") == ["Canteen"]
    assert titles("?q=fan") == ["Fans"]
    assert titles("?state=overdue") == ["Late one"]
    assert titles("?state=open") == ["Fans", "Canteen"]
    s.criticism_sweep()
    assert titles("?state=escalated") == ["Late one"]
    assert titles("?state=overdue") == []
    late.refresh_from_db()
    assert late.level_body == fed.union


# Queries for the list page: session, user, member, the body, its ancestors, the count
# and the page of items, the panel's counts (one aggregate), the charter's deadline, the
# publish form's seats and decisions, the header's notices. None grows with the items.
EXPECTED = {"worker": 21, "outsider": 24, None: 11}


@pytest.mark.parametrize("who", ["worker", "outsider", None])
def test_list_query_count_is_pinned(
    crit: Crit, django_assert_num_queries: Any, who: str | None
) -> None:
    fed = crit.fed
    client = Client()
    if who:
        client.force_login(getattr(fed, who).user)
    publish(crit, publicity="public")
    with django_assert_num_queries(EXPECTED[who]):
        assert client.get("/bodies/sormovo/criticism/?state=open").status_code == 200
    for i in range(30):
        publish(crit, title=f"Item {i}", anonymous=i % 2 == 0, publicity="public")
    with django_assert_num_queries(EXPECTED[who]):
        page = client.get("/bodies/sormovo/criticism/?state=open&target=body&q=Item")
    assert page.content.count(b'class="crit-item') == 30


def test_panel_tag(crit: Crit) -> None:
    from django.template import Context, Template

    publish(crit)
    html = Template("{% load criticism_tags %}{% criticism_panel body user %}").render(
        Context({"body": crit.fed.enterprise, "user": crit.fed.worker.user})
    )
    assert "/bodies/sormovo/criticism/?state=open" in html and "1</span> open" in html
