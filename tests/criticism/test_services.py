"""Criticism services: publishing, co-signing, responses, marks, escalation, moderation,
appeals and the anonymous author, each with its record entry; bad input changes nothing."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from collegium.criticism import selectors as sel
from collegium.criticism import services as s
from collegium.criticism.models import Criticism, Level, ModerationAct
from collegium.criticism.transitions import CriticismError
from collegium.federation.models import Charter
from collegium.federation.permissions import PermissionDenied
from collegium.notifications.models import Notification
from collegium.record.models import Entry
from tests.criticism.conftest import Crit

pytestmark = pytest.mark.django_db
NOW = timezone.now().replace(microsecond=0)
DAY = dt.timedelta(days=1)
REASON = "Threatens or incites violence against a person"


def publish(crit: Crit, **kw: Any) -> Criticism:
    args: dict[str, Any] = {
        "user": crit.fed.worker.user,
        "body": crit.fed.enterprise,
        "title": "The forge's ventilation is broken",
        "text": "Since March the extractor fans have not worked.",
        "now": NOW,
    }
    args.update(kw)
    return s.criticism_publish(**args)


def entries(kind: str) -> list[dict[str, Any]]:
    return [json.loads(e.payload) for e in Entry.objects.filter(kind=kind).order_by("index")]


def test_publish_writes_the_record_and_tells_the_board(crit: Crit) -> None:
    c = publish(crit)
    assert c.state == "open" and c.level_body == crit.fed.enterprise
    assert c.due_at == NOW + 14 * DAY  # the default charter's criticism_response_days
    [entry] = entries("criticism.published")
    assert entry["actor"]["id"] == crit.fed.worker.public_id
    assert entry["data"]["criticism"] == c.public_id and "text" not in entry["data"]
    assert Notification.objects.filter(member=crit.fed.board_member, kind="criticism.received")


def test_bad_input_is_refused_and_changes_nothing(crit: Crit) -> None:
    fed = crit.fed
    before = Entry.objects.count()
    with pytest.raises(PermissionDenied, match="you do not belong to Putilov Works"):
        publish(crit, body=fed.other_enterprise)
    with pytest.raises(CriticismError) as info:
        publish(crit, title=" ", text="")
    assert set(info.value.errors) == {"title", "text"}
    with pytest.raises(CriticismError) as info:
        publish(crit, target="plan", plan="")
    assert "plan" in info.value.errors
    with pytest.raises(CriticismError) as info:
        publish(crit, target="seat", seat=None)
    assert "seat" in info.value.errors
    assert Criticism.objects.count() == 0 and Entry.objects.count() == before
    c = publish(crit)
    with pytest.raises(CriticismError, match="you wrote this criticism"):
        s.criticism_cosign(user=fed.worker.user, criticism=c, now=NOW)
    s.criticism_cosign(user=crit.cosigner.user, criticism=c, now=NOW)
    with pytest.raises(CriticismError, match="already co-signed"):
        s.criticism_cosign(user=crit.cosigner.user, criticism=c, now=NOW)
    with pytest.raises(PermissionDenied, match="only the board of Sormovo Works"):
        s.response_publish(user=fed.outsider.user, criticism=c, text="No.", now=NOW)
    with pytest.raises(PermissionDenied, match="only the board of Sormovo Works"):
        s.response_publish(user=fed.congress_board_member.user, criticism=c, text="x", now=NOW)
    c.refresh_from_db()
    assert c.cosignatures == 1 and c.state == "open"


def test_address_seat_decision_plan_and_commission(crit: Crit) -> None:
    from collegium.elections.models import Seat

    fed = crit.fed
    seat = Seat.objects.get(body=fed.enterprise, holder=fed.board_member)
    c = publish(crit, target="seat", seat=seat)
    assert c.target_seat == seat
    p = publish(crit, target="plan", plan="Plan 2027, line 14")
    assert p.target_plan == "Plan 2027, line 14"
    other = Seat.objects.get(body=fed.congress)
    with pytest.raises(CriticismError, match="not a current seat of Sormovo Works"):
        publish(crit, target="seat", seat=other)
    # A commission attached to a body above the critic's workplace is addressable.
    k = publish(crit, body=crit.commission, title="The commission is slow")
    assert k.level_body == crit.commission


def test_edit_only_before_cosigning_then_additions(crit: Crit) -> None:
    c = publish(crit)
    s.criticism_edit(user=crit.fed.worker.user, criticism=c, title="Fans", text="Fixed typo")
    with pytest.raises(PermissionDenied):
        s.criticism_edit(user=crit.cosigner.user, criticism=c, title="x", text="y")
    s.criticism_cosign(user=crit.cosigner.user, criticism=c, now=NOW)
    with pytest.raises(CriticismError, match="cannot be edited, only followed by additions"):
        s.criticism_edit(user=crit.fed.worker.user, criticism=c, title="Other", text="z")
    s.addition_add(user=crit.fed.worker.user, criticism=c, text="Two more weeks.", now=NOW)
    with pytest.raises(PermissionDenied):
        s.addition_add(user=crit.cosigner.user, criticism=c, text="me too")
    c.refresh_from_db()
    assert c.text == "Fixed typo" and [a.text for a in sel.additions(c)] == ["Two more weeks."]
    assert len(entries("criticism.edited")) == 1 and len(entries("criticism.added_to")) == 1


def test_overdue_escalates_up_to_the_congress_and_stays_overdue(crit: Crit) -> None:
    fed = crit.fed
    c = publish(crit)
    assert s.criticism_sweep(now=NOW + DAY)["criticism_escalated"] == 0
    result = s.criticism_sweep(now=NOW + 15 * DAY)
    assert result["criticism_escalated"] == 1
    assert s.criticism_sweep(now=NOW + 15 * DAY)["criticism_escalated"] == 0  # idempotent
    c.refresh_from_db()
    assert (c.state, c.level_body, c.level) == ("escalated", fed.union, 1)
    s.criticism_sweep(now=NOW + 30 * DAY)
    c.refresh_from_db()
    assert (c.state, c.level_body) == ("escalated", fed.congress)
    assert Notification.objects.filter(
        member=fed.congress_board_member, kind="criticism.escalated"
    ).exists()
    assert Notification.objects.filter(member=fed.worker, kind="criticism.escalated").count() == 2
    assert s.criticism_sweep(now=NOW + 60 * DAY)["criticism_overdue"] == 1
    c.refresh_from_db()
    assert c.state == "overdue"
    assert s.criticism_sweep(now=NOW + 90 * DAY) == {
        "criticism_escalated": 0,
        "criticism_overdue": 0,
        "criticism_reminded": 0,
    }
    # Whole history kept, each level listed where it was.
    assert [lv.body.code for lv in Level.objects.filter(criticism=c)] == [
        "sormovo",
        "metal",
        "congress",
    ]
    for body in (fed.enterprise, fed.union, fed.congress):
        assert c in sel.body_criticism(body, fed.worker, now=NOW + 90 * DAY)
    overdue = sel.body_criticism(fed.congress, fed.worker, state="overdue", now=NOW + 90 * DAY)
    assert list(overdue) == [c]
    # The congress board still answers it.
    s.response_publish(user=fed.congress_board_member.user, criticism=c, text="We act.")
    c.refresh_from_db()
    assert c.state == "answered"


def test_response_and_marks(crit: Crit) -> None:
    fed = crit.fed
    c = publish(crit)
    for m in (crit.cosigner, crit.cosigner2):
        s.criticism_cosign(user=m.user, criticism=c, now=NOW)
    with pytest.raises(CriticismError, match="no response to mark"):
        s.response_mark(user=fed.worker.user, criticism=c, satisfied=False)
    s.response_publish(user=fed.board_member.user, criticism=c, text="New fans in May.", now=NOW)
    assert Notification.objects.filter(member=crit.cosigner2, kind="criticism.answered")
    with pytest.raises(PermissionDenied, match="only the critic and the co-signers"):
        s.response_mark(user=fed.outsider.user, criticism=c, satisfied=False)
    # One co-signer of two unsatisfied: not yet a majority.
    s.response_mark(user=crit.cosigner.user, criticism=c, satisfied=False, now=NOW)
    with pytest.raises(CriticismError, match="already marked"):
        s.response_mark(user=crit.cosigner.user, criticism=c, satisfied=True, now=NOW)
    c.refresh_from_db()
    assert c.state == "answered"
    s.response_mark(user=fed.worker.user, criticism=c, satisfied=True, now=NOW)
    c.refresh_from_db()
    assert c.state == "satisfied"
    # The second co-signer makes a majority: escalated even though the critic is content.
    s.response_mark(user=crit.cosigner2.user, criticism=c, satisfied=False, now=NOW)
    c.refresh_from_db()
    assert (c.state, c.level_body, c.level) == ("escalated", fed.union, 1)
    assert Level.objects.get(criticism=c, number=1).reason == "unsatisfied"
    levels = sel.criticism_levels(c)
    assert levels[0].response is not None and len(levels[0].marks) == 3


def test_critic_unsatisfied_escalates_and_congress_answers_again(crit: Crit) -> None:
    fed = crit.fed
    c = publish(crit, body=fed.congress)
    s.response_publish(user=fed.congress_board_member.user, criticism=c, text="No.", now=NOW)
    s.response_mark(user=fed.worker.user, criticism=c, satisfied=False, now=NOW)
    c.refresh_from_db()
    assert (c.state, c.level_body, c.level) == ("open", fed.congress, 1)
    assert list(sel.body_criticism(fed.congress, fed.worker, now=NOW)) == [c]  # listed once


def test_anonymous_author_hidden_everywhere(crit: Crit) -> None:
    fed = crit.fed
    c = publish(crit, anonymous=True)
    s.criticism_cosign(user=crit.cosigner.user, criticism=c, now=NOW)
    s.addition_add(user=fed.worker.user, criticism=c, text="More.", now=NOW)
    s.response_publish(user=fed.board_member.user, criticism=c, text="Noted.", now=NOW)
    s.response_mark(user=fed.worker.user, criticism=c, satisfied=False, now=NOW)
    for e in Entry.objects.all():
        assert fed.worker.public_id not in e.payload and e.actor_id != fed.worker.public_id
    assert entries("criticism.published")[0]["actor"] == {"id": "anonymous", "role": "member"}
    assert [x.member for x in sel.cosigners(c)] == [crit.cosigner]
    assert sel.member_items(fed.worker, NOW)[0].url == f"/criticism/{c.public_id}/"
    assert sel.member_items(fed.board_member, NOW) == []


def test_reveal_author_is_on_the_record_first(crit: Crit) -> None:
    fed = crit.fed
    c = publish(crit, anonymous=True)
    with pytest.raises(PermissionDenied, match="only the elected moderation commission"):
        s.author_reveal(user=fed.board_member.user, criticism=c, reason=REASON)
    with pytest.raises(CriticismError) as info:
        s.author_reveal(user=crit.moderator.user, criticism=c, reason="curiosity")
    assert "reason" in info.value.errors
    assert not Entry.objects.filter(kind="criticism.author_looked_at").exists()
    author = s.author_reveal(user=crit.moderator.user, criticism=c, reason=REASON, now=NOW)
    assert author == fed.worker
    [entry] = entries("criticism.author_looked_at")
    assert entry["actor"]["id"] == crit.moderator.public_id
    assert entry["data"] == {"criticism": c.public_id, "reason": REASON}
    assert fed.worker.public_id not in json.dumps(entry)
    [look] = sel.author_looks(c)
    assert look.record_index == Entry.objects.get(kind="criticism.author_looked_at").index
    named = publish(crit)
    with pytest.raises(CriticismError, match="under its author's name"):
        s.author_reveal(user=crit.moderator.user, criticism=named, reason=REASON)


def test_commission_member_concerned_may_not_look(crit: Crit) -> None:
    from tests.criticism.conftest import seat

    fed = crit.fed
    local = crit.commission.__class__.objects.create(
        code="sormovo-moderation",
        name="Sormovo moderation",
        kind="commission",
        parent=fed.enterprise,
        function="moderation",
        path="",
    )
    from collegium.federation.services import body_place

    body_place(local)
    seat(local, [fed.board_member])  # also on the enterprise's board
    c = publish(crit, anonymous=True)
    with pytest.raises(PermissionDenied, match="another commission member must look"):
        s.author_reveal(user=fed.board_member.user, criticism=c, reason=REASON)


def test_hide_keeps_it_listed_with_its_reason(crit: Crit) -> None:
    fed = crit.fed
    c = publish(crit)
    with pytest.raises(PermissionDenied, match="moderation commission"):
        s.criticism_hide(user=fed.board_member.user, criticism=c, reason=REASON)
    with pytest.raises(CriticismError) as info:
        s.criticism_hide(user=crit.moderator.user, criticism=c, reason="rude")
    assert "reason" in info.value.errors
    act = s.criticism_hide(user=crit.moderator.user, criticism=c, reason=REASON, now=NOW)
    [entry] = entries("criticism.hidden")
    assert entry["data"]["reason"] == REASON and entry["data"]["act"] == act.public_id
    listed = list(sel.body_criticism(fed.enterprise, fed.board_member, now=NOW))
    assert listed == [c] and listed[0].hidden_reason == REASON
    hidden = sel.body_criticism(fed.enterprise, None, state="hidden", now=NOW)
    assert list(hidden) == []  # published to the bodies' members only
    with pytest.raises(CriticismError, match="already hidden"):
        s.criticism_hide(user=crit.moderator.user, criticism=c, reason=REASON)


def _appeal_setup(crit: Crit) -> tuple[Criticism, ModerationAct]:
    Charter.objects.filter(body__isnull=True).update(moderation_appeal_pct=50)
    c = publish(crit)
    act = s.criticism_hide(user=crit.moderator.user, criticism=c, reason=REASON, now=NOW)
    return c, act


def test_appeal_petition_opens_a_referendum_that_unhides(crit: Crit) -> None:
    from collegium.decisions.services import decisions_sweep, referendum_cast

    fed = crit.fed
    c, act = _appeal_setup(crit)
    with pytest.raises(PermissionDenied, match="the author starts an appeal"):
        s.appeal_sign(user=crit.cosigner.user, act=act, now=NOW)
    assert s.appeal_sign(user=fed.worker.user, act=act, now=NOW) is None
    assert Notification.objects.filter(member=crit.moderator, kind="criticism.appeal")
    with pytest.raises(CriticismError, match="already signed"):
        s.appeal_sign(user=fed.worker.user, act=act, now=NOW)
    with pytest.raises(PermissionDenied, match="only members of Sormovo Works"):
        s.appeal_sign(user=fed.outsider.user, act=act, now=NOW)
    # Six members of Sormovo Works (the moderator works elsewhere): 50 % is three.
    assert s.appeal_sign(user=crit.cosigner.user, act=act, now=NOW) is None
    decision = s.appeal_sign(user=crit.cosigner2.user, act=act, now=NOW)
    assert decision is not None and decision.subject_id == act.public_id
    act.refresh_from_db()
    assert act.appeal == "referendum" and act.referendum == decision
    for m in (fed.worker, crit.cosigner, fed.board_member):
        referendum_cast(user=m.user, decision=decision, choice="yes", now=NOW)
    decisions_sweep(now=decision.closes_at + DAY)
    act.refresh_from_db()
    c.refresh_from_db()
    assert act.appeal == "upheld" and not c.hidden
    unhide = ModerationAct.objects.get(criticism=c, kind="unhide")
    assert decision.public_id in unhide.reason
    assert entries("criticism.shown_again")[0]["data"]["decision"] == decision.public_id


def test_appeal_rejected_leaves_it_hidden(crit: Crit) -> None:
    from collegium.decisions.services import decisions_sweep, referendum_cast

    fed = crit.fed
    c, act = _appeal_setup(crit)
    for m in (fed.worker, crit.cosigner, crit.cosigner2):
        decision = s.appeal_sign(user=m.user, act=act, now=NOW)
    assert decision is not None
    referendum_cast(user=fed.board_member.user, decision=decision, choice="no", now=NOW)
    decisions_sweep(now=decision.closes_at + DAY)
    act.refresh_from_db()
    c.refresh_from_db()
    assert act.appeal == "rejected" and c.hidden
    assert entries("criticism.appeal_rejected")


def test_agenda_and_member_items(crit: Crit) -> None:
    fed = crit.fed
    Charter.objects.filter(body__isnull=True).update(criticism_agenda_pct=50)
    c = publish(crit)
    [item] = sel.agenda_items(fed.enterprise, NOW)
    assert item.kind == "criticism" and not item.mandatory and item.due == c.due_at
    s.criticism_cosign(user=crit.cosigner.user, criticism=c, now=NOW)
    s.criticism_cosign(user=crit.cosigner2.user, criticism=c, now=NOW)
    [item] = sel.agenda_items(fed.enterprise, NOW + 20 * DAY)
    assert item.mandatory and item.overdue  # 3 of 6 members; overdue before the sweep
    s.response_publish(user=fed.board_member.user, criticism=c, text="Done.", now=NOW)
    assert sel.agenda_items(fed.enterprise, NOW) == []
    [mine] = sel.member_items(fed.worker, NOW)
    assert "mark the response" in mine.note
    [theirs] = sel.member_items(crit.cosigner, NOW)
    assert "co-signed" in theirs.note
    s.response_mark(user=crit.cosigner.user, criticism=c, satisfied=True, now=NOW)
    assert sel.member_items(crit.cosigner, NOW) == []


def test_reminder_a_day_before_once(crit: Crit) -> None:
    fed = crit.fed
    publish(crit)
    assert s.criticism_sweep(now=NOW + 12 * DAY)["criticism_reminded"] == 0
    assert s.criticism_sweep(now=NOW + 13 * DAY + dt.timedelta(hours=1))["criticism_reminded"] == 1
    assert s.criticism_sweep(now=NOW + 13 * DAY + dt.timedelta(hours=2))["criticism_reminded"] == 0
    assert Notification.objects.filter(member=fed.board_member, kind="criticism.due_soon").count()


def test_panel_counts(crit: Crit) -> None:
    fed = crit.fed
    publish(crit)
    late = publish(crit, title="Late")
    s.criticism_sweep(now=NOW + 15 * DAY)
    publish(crit, title="New", now=NOW + 15 * DAY)
    panel = sel.body_panel(fed.enterprise, fed.worker, NOW + 15 * DAY)
    assert (panel.open, panel.overdue, panel.escalated) == (1, 0, 2)
    late.refresh_from_db()
    assert late.level_body == fed.union


def test_an_anonymous_author_on_the_board_cannot_answer_or_moderate_their_own(
    crit: Crit,
) -> None:
    """Answering or moderating one's own anonymous criticism would put one's member id on
    the record beside it."""
    fed = crit.fed
    c = publish(crit, user=fed.board_member.user, anonymous=True)
    with pytest.raises(CriticismError, match="another member of the board answers"):
        s.response_publish(user=fed.board_member.user, criticism=c, text="Fine.", now=NOW)
    mine = publish(crit, user=crit.moderator.user, body=fed.congress, anonymous=True)
    with pytest.raises(CriticismError, match="another member of the commission"):
        s.criticism_hide(user=crit.moderator.user, criticism=mine, reason=REASON)
    with pytest.raises(CriticismError, match="another member of the commission"):
        s.author_reveal(user=crit.moderator.user, criticism=mine, reason=REASON)
    for e in Entry.objects.filter(kind__startswith="criticism."):
        assert e.actor_id not in (fed.board_member.public_id, crit.moderator.public_id)


def test_sweep_works_in_batches_with_one_entry_per_batch_and_board(
    crit: Crit, monkeypatch: pytest.MonkeyPatch
) -> None:
    fed = crit.fed
    monkeypatch.setattr(s, "SWEEP_BATCH", 2)
    items = [publish(crit, title=f"Item {i}") for i in range(5)]
    top = publish(crit, body=fed.congress, title="At the top")
    result = s.criticism_sweep(now=NOW + 15 * DAY)
    assert result["criticism_escalated"] == 5 and result["criticism_overdue"] == 1
    escalated = entries("criticism.escalated")
    assert [len(e["data"]["criticisms"]) for e in escalated] == [2, 2, 1]
    listed = [pid for e in escalated for pid in e["data"]["criticisms"]]
    assert sorted(listed) == sorted(c.public_id for c in items)
    assert entries("criticism.overdue")[0]["data"]["criticisms"] == [top.public_id]
    for c in items:
        c.refresh_from_db()
        assert (c.state, c.level_body, c.level) == ("escalated", fed.union, 1)
        assert [e.kind for e in sel.entries_for(c)][-1] == "criticism.escalated"
    # The critic hears once per item; nobody holds a seat on the union's board.
    assert Notification.objects.filter(member=fed.worker, kind="criticism.escalated").count() == 5
    assert s.criticism_sweep(now=NOW + 15 * DAY)["criticism_escalated"] == 0


def test_the_record_holds_salted_fingerprints_of_the_texts(crit: Crit) -> None:
    """A guess at a criticism's text cannot be checked against the public record."""
    import hashlib

    from collegium.record.services import salted_digest

    c = publish(crit)
    other = publish(crit)
    first, second = entries("criticism.published")
    text = "Since March the extractor fans have not worked."
    assert first["data"]["text_sha256"] == salted_digest(c.salt, text)
    assert first["data"]["text_sha256"] != hashlib.sha256(text.encode()).hexdigest()
    assert c.salt != other.salt and first["data"]["text_sha256"] != second["data"]["text_sha256"]
