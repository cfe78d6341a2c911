"""The services of condition reports: each step, its permission, its record entry, and
bad input that changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from collegium.conditions import services as s
from collegium.conditions.models import ConditionReport, Event, Photo, Remedy
from collegium.conditions.services import ConditionsError, MaterialLine
from collegium.conditions.uploads import Upload
from collegium.federation.permissions import PermissionDenied
from collegium.notifications.models import Notification
from collegium.record.models import Entry
from tests.conditions.conftest import ConditionsWorld, image_bytes

NOW = timezone.now().replace(microsecond=0)
DAY = dt.timedelta(days=1)


def submit(world: ConditionsWorld, **extra: Any) -> ConditionReport:
    data: dict[str, Any] = {
        "user": world.fed.worker.user,
        "body": world.fed.shop,
        "location": "Forge, hammer 2",
        "hazard": "foul_air",
        "severity": 3,
        "people_affected": 14,
        "title": "Fumes at the hammers",
        "description": "The extractor over hammer 2 has been broken since May.",
        "now": NOW,
        **extra,
    }
    return s.report_submit(**data)


def kinds(since: int) -> list[str]:
    return list(
        Entry.objects.filter(index__gte=since).order_by("index").values_list("kind", flat=True)
    )


def head() -> int:
    return Entry.objects.count()


def promise(world: ConditionsWorld, report: ConditionReport, **extra: Any) -> Remedy:
    data: dict[str, Any] = {
        "user": world.fed.board_member.user,
        "report": report,
        "work": "Replace the extractor fan and its duct.",
        "materials": [
            MaterialLine("fan-axial-400", Decimal("1"), "piece"),
            MaterialLine("duct-steel", Decimal("12.5"), "m"),
        ],
        "labour_hours": "16",
        "cost": "2400.00",
        "due_on": (NOW + 10 * DAY).date(),
        "now": NOW,
        **extra,
    }
    return s.remedy_accept(**data)


@pytest.mark.django_db
def test_a_report_goes_from_awaiting_to_fixed(world: ConditionsWorld) -> None:
    fed = world.fed
    start = head()
    report = submit(world)
    assert report.state == "awaiting" and report.confirmations_needed == 1
    # The shop has no board of its own: its enterprise's board answers.
    assert report.responsible == fed.enterprise
    # Co-workers at the shop are told (not the reporter, not the other enterprise).
    told = set(
        Notification.objects.filter(kind="condition.awaiting_confirmation").values_list(
            "member_id", flat=True
        )
    )
    assert fed.worker.pk not in told and fed.outsider.pk not in told and world.co_worker.pk in told
    s.report_confirm(user=world.co_worker.user, report=report, now=NOW + DAY)
    report.refresh_from_db()
    assert report.state == "open" and report.confirmed_at == NOW + DAY
    assert report.due_at == NOW + DAY + 14 * DAY  # the charter's 14 days from confirmation
    assert Notification.objects.filter(kind="condition.confirmed", member=fed.board_member).exists()
    remedy = promise(world, report, now=NOW + 2 * DAY)
    report.refresh_from_db()
    assert report.state == "promised" and report.due_at is None
    assert [m.product for m in remedy.materials.all()] == ["fan-axial-400", "duct-steel"]
    assert Notification.objects.filter(kind="condition.remedy_promised", member=fed.worker).exists()
    s.remedy_done(user=fed.board_member.user, report=report, note="Fan replaced", now=NOW + 5 * DAY)
    s.report_fixed(user=fed.worker.user, report=report, fixed=True, now=NOW + 6 * DAY)
    report.refresh_from_db()
    remedy.refresh_from_db()
    assert report.state == "fixed" and remedy.state == "confirmed"
    assert kinds(start) == [
        "condition.reported",
        "condition.confirmation",
        "condition.remedy_promised",
        "condition.remedy_done",
        "condition.fixed",
    ]
    events = list(Event.objects.filter(report=report).values_list("kind", flat=True))
    assert events == [
        "reported",
        "confirmation",
        "confirmed",
        "remedy_promised",
        "remedy_done",
        "fixed",
    ]
    payload = Entry.objects.get(kind="condition.remedy_promised").payload
    assert '"fan-axial-400","1","piece"' in payload and "Replace" not in payload


@pytest.mark.django_db
def test_a_large_workplace_needs_two_confirmations(world: ConditionsWorld) -> None:
    from tests.conftest import make_member

    for i in range(8):
        make_member(f"50{i}", "Co", f"Worker{i}", world.fed.shop)
    report = submit(world)
    assert report.confirmations_needed == 2
    s.report_confirm(user=world.co_worker.user, report=report, now=NOW)
    report.refresh_from_db()
    assert report.state == "awaiting" and report.confirmation_count == 1
    s.report_confirm(user=world.fed.congress_board_member.user, report=report, now=NOW)
    report.refresh_from_db()
    assert report.state == "open"


@pytest.mark.django_db
def test_a_lone_worker_needs_no_confirmation(world: ConditionsWorld) -> None:
    from tests.conftest import make_body, make_member

    hut = make_body("putilov-hut", "Pump hut", "shop", world.fed.other_enterprise)
    lone = make_member("6001", "Lone", "Pumper", hut)
    report = submit(world, user=lone.user, body=hut)
    assert report.confirmations_needed == 0 and report.state == "open"
    assert report.due_at is not None


@pytest.mark.django_db
def test_confirmation_by_the_reporter_or_twice_is_refused(world: ConditionsWorld) -> None:
    report = submit(world)
    with pytest.raises(ConditionsError, match="cannot confirm their own"):
        s.report_confirm(user=world.fed.worker.user, report=report, now=NOW)
    s.report_confirm(user=world.co_worker.user, report=report, now=NOW)
    before = head()
    with pytest.raises(ConditionsError, match="already confirmed"):
        s.report_confirm(user=world.co_worker.user, report=report, now=NOW)
    with pytest.raises(PermissionDenied, match="only members of Forge shop"):
        s.report_confirm(user=world.fed.outsider.user, report=report, now=NOW)
    report.refresh_from_db()
    assert report.confirmation_count == 1 and head() == before


@pytest.mark.django_db
def test_a_remedy_by_someone_not_on_the_board_is_refused(world: ConditionsWorld) -> None:
    report = submit(world, user=world.fed.worker.user)
    with pytest.raises(ConditionsError, match="open, confirmed report"):
        promise(world, report)
    s.report_confirm(user=world.co_worker.user, report=report, now=NOW)
    before = head()
    for intruder in (world.fed.worker, world.co_worker, world.fed.congress_board_member):
        with pytest.raises(PermissionDenied, match="only the board of Sormovo Works"):
            promise(world, report, user=intruder.user)
    assert head() == before and not Remedy.objects.exists()


@pytest.mark.django_db
def test_bad_remedy_input_names_each_field(world: ConditionsWorld) -> None:
    report = submit(world)
    s.report_confirm(user=world.co_worker.user, report=report, now=NOW)
    with pytest.raises(ConditionsError) as caught:
        promise(world, report, work=" ", labour_hours="x", cost="-5", due_on=(NOW - DAY).date())
    assert set(caught.value.errors) == {"work", "labour_hours", "cost", "due_on"}
    assert not Remedy.objects.exists()
    with pytest.raises(ConditionsError, match="line 2: the quantity must be above zero"):
        s.parse_materials([("steel", "1", "kg"), ("paint", "0", "l")])
    with pytest.raises(ConditionsError, match="not a product code"):
        s.parse_materials([("no spaces", "1", "kg")])
    with pytest.raises(ConditionsError, match="not a number"):
        s.parse_materials([("steel", "NaNx", "kg")])
    assert s.parse_materials([("", "", ""), ("steel", "1,000.5", "kg")]) == [
        MaterialLine("steel", Decimal("1000.5"), "kg")
    ]


@pytest.mark.django_db
def test_bad_report_input_changes_nothing(world: ConditionsWorld) -> None:
    before = head()
    with pytest.raises(ConditionsError) as caught:
        submit(world, title="", location="", hazard="ghosts", severity=9, people_affected="many")
    assert set(caught.value.errors) == {
        "title",
        "location",
        "hazard",
        "severity",
        "people_affected",
    }
    with pytest.raises(ConditionsError, match="enterprise or a shop"):
        submit(world, body=world.fed.union)
    with pytest.raises(PermissionDenied):
        submit(world, user=world.fed.outsider.user)
    bad = Upload("fumes.jpg", "image/jpeg", b"%PDF-1.4 not an image")
    with pytest.raises(ConditionsError, match="not a JPEG, PNG or WebP"):
        submit(world, photos=[Upload("ok.png", "image/png", image_bytes("PNG")), bad])
    assert head() == before and not ConditionReport.objects.exists() and not Photo.objects.exists()


@pytest.mark.django_db
def test_photos_are_stored_with_the_report_and_limited(world: ConditionsWorld) -> None:
    from collegium.conditions.uploads import stored_path

    report = submit(world, photos=[Upload("a.jpg", "image/jpeg", image_bytes())])
    photo = report.photos.get()
    assert photo.number == 1 and stored_path(photo.stored_name).exists()
    more = [Upload(f"b{i}.png", "image/png", image_bytes("PNG")) for i in range(4)]
    s.photo_add(user=world.fed.worker.user, report=report, photos=more, now=NOW)
    assert list(report.photos.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    with pytest.raises(ConditionsError, match="at most 5 photos"):
        s.photo_add(user=world.fed.worker.user, report=report, photos=more[:1], now=NOW)
    with pytest.raises(PermissionDenied, match="only the reporter"):
        s.photo_add(user=world.co_worker.user, report=report, photos=more[:1], now=NOW)


@pytest.mark.django_db
def test_the_deadline_escalates_up_to_the_congress(world: ConditionsWorld) -> None:
    fed = world.fed
    report = submit(world)
    s.report_confirm(user=world.co_worker.user, report=report, now=NOW)
    assert s.conditions_sweep(now=NOW + 13 * DAY) == {"conditions_escalated": 0}
    start = head()
    assert s.conditions_sweep(now=NOW + 15 * DAY) == {"conditions_escalated": 1}
    # Idempotent: the same moment again moves nothing.
    assert s.conditions_sweep(now=NOW + 15 * DAY) == {"conditions_escalated": 0}
    report.refresh_from_db()
    # The union has no board: it goes on to the congress, with a new deadline.
    assert report.responsible == fed.congress and report.escalations == 1
    assert report.due_at == NOW + 29 * DAY
    assert kinds(start) == ["condition.escalated"]
    assert Notification.objects.filter(
        kind="condition.escalated", member=fed.congress_board_member
    ).exists()
    # At the congress it stays, overdue, however often the sweep runs.
    assert s.conditions_sweep(now=NOW + 60 * DAY) == {"conditions_escalated": 0}
    with pytest.raises(ConditionsError, match="top of the federation"):
        s.report_escalate(
            user=fed.congress_board_member.user, report=report, reason="x", now=NOW + 61 * DAY
        )
    history = list(report.events.values_list("kind", flat=True))
    assert history[-1] == "escalated_deadline"


@pytest.mark.django_db
def test_the_board_escalates_and_the_reporter_rejects(world: ConditionsWorld) -> None:
    fed = world.fed
    report = submit(world)
    s.report_confirm(user=world.co_worker.user, report=report, now=NOW)
    with pytest.raises(ConditionsError) as caught:
        s.report_escalate(user=fed.board_member.user, report=report, reason=" ", now=NOW)
    assert "reason" in caught.value.errors
    with pytest.raises(PermissionDenied):
        s.report_escalate(user=fed.worker.user, report=report, reason="Too big", now=NOW)
    s.report_escalate(user=fed.board_member.user, report=report, reason="Too big", now=NOW)
    report.refresh_from_db()
    assert report.responsible == fed.congress and report.state == "open"
    # Now the congress's board answers; the enterprise's board no longer may.
    with pytest.raises(PermissionDenied):
        promise(world, report)
    promise(world, report, user=fed.congress_board_member.user)
    report.refresh_from_db()
    with pytest.raises(ConditionsError, match="top of the federation"):
        s.remedy_reject(user=fed.worker.user, report=report, note="Too late", now=NOW)


@pytest.mark.django_db
def test_the_reporter_rejects_a_remedy_and_it_goes_up(world: ConditionsWorld) -> None:
    fed = world.fed
    report = submit(world)
    s.report_confirm(user=world.co_worker.user, report=report, now=NOW)
    remedy = promise(world, report)
    with pytest.raises(ConditionsError) as caught:
        s.remedy_reject(user=fed.worker.user, report=report, note="", now=NOW)
    assert "note" in caught.value.errors
    with pytest.raises(PermissionDenied):
        s.remedy_reject(user=world.co_worker.user, report=report, note="No", now=NOW)
    start = head()
    s.remedy_reject(user=fed.worker.user, report=report, note="A fan is not enough", now=NOW)
    report.refresh_from_db()
    remedy.refresh_from_db()
    assert remedy.state == "rejected" and report.state == "open"
    assert report.responsible == fed.congress
    assert kinds(start) == ["condition.remedy_rejected"]


@pytest.mark.django_db
def test_not_fixed_reopens_with_a_note(world: ConditionsWorld) -> None:
    fed = world.fed
    report = submit(world)
    s.report_confirm(user=world.co_worker.user, report=report, now=NOW)
    promise(world, report)
    with pytest.raises(ConditionsError, match="not marked a remedy done"):
        s.report_fixed(user=fed.worker.user, report=report, fixed=True, now=NOW)
    s.remedy_done(user=fed.board_member.user, report=report, now=NOW + DAY)
    with pytest.raises(ConditionsError) as caught:
        s.report_fixed(user=fed.worker.user, report=report, fixed=False, now=NOW + 2 * DAY)
    assert "note" in caught.value.errors
    with pytest.raises(PermissionDenied):
        s.report_fixed(user=fed.board_member.user, report=report, fixed=True, now=NOW)
    s.report_fixed(
        user=fed.worker.user, report=report, fixed=False, note="Still fumes", now=NOW + 2 * DAY
    )
    report.refresh_from_db()
    assert report.state == "open" and report.due_at == NOW + 16 * DAY
    # A second remedy follows; the first stays in the history as declined.
    promise(world, report, work="Second try", now=NOW + 3 * DAY)
    assert list(report.remedies.values_list("state", flat=True)) == ["declined", "promised"]


@pytest.mark.django_db
def test_only_the_moderation_commission_hides_for_a_charter_reason(
    world: ConditionsWorld,
) -> None:
    from collegium.federation.selectors import charter_as_dict

    report = submit(world)
    reason = charter_as_dict(world.fed.shop)["moderation_reasons"][0]
    for other in (world.fed.board_member, world.fed.congress_board_member, world.fed.worker):
        with pytest.raises(PermissionDenied, match="only the moderation commission"):
            s.report_hide(user=other.user, report=report, reason=reason, now=NOW)
    with pytest.raises(ConditionsError) as caught:
        s.report_hide(user=world.moderator.user, report=report, reason="I dislike it", now=NOW)
    assert "reason" in caught.value.errors
    start = head()
    s.report_hide(user=world.moderator.user, report=report, reason=reason, now=NOW)
    report.refresh_from_db()
    assert report.hidden and report.hidden_reason == reason
    with pytest.raises(ConditionsError, match="already hidden"):
        s.report_hide(user=world.moderator.user, report=report, reason=reason, now=NOW)
    s.report_unhide(user=world.moderator.user, report=report, reason="Name removed", now=NOW)
    report.refresh_from_db()
    assert not report.hidden
    assert kinds(start) == ["condition.hidden", "condition.unhidden"]
    acts = list(report.moderation_acts.values_list("action", "record_index"))
    assert [a for a, _ in acts] == ["hide", "unhide"] and all(i is not None for _, i in acts)
