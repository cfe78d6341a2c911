"""Criticism for the demo: at Sormovo Machine Works (and above it) an answered criticism,
one waiting for the critic's mark, one escalated for want of an answer, one escalated
because the answer did not satisfy, an anonymous one about a seat-holder, one overdue at
the congress, and one hidden by the moderation commission with an appeal under way.

Called by the demo builder after the boards and commissions are seated."""

from __future__ import annotations

import datetime as dt

from collegium.criticism import services as s
from collegium.elections.selectors import board_seats
from collegium.federation.models import Body, Member
from collegium.federation.selectors import charter_as_dict, commission_members

DAY = dt.timedelta(days=1)


def demo_criticism(now: dt.datetime) -> None:
    sormovo = Body.objects.get(code="sormovo")
    congress = Body.objects.get(code="congress")
    commission = Body.objects.get(code="congress-moderation")
    board = [seat.holder for seat in board_seats(sormovo)]
    ivan = Member.objects.get(member_no="M00002")
    anna = Member.objects.get(member_no="M00001")
    moderators = list(commission_members(commission).order_by("member_no"))
    busy = {m.pk for m in board} | {m.pk for m in moderators} | {anna.pk}
    workers = [
        m
        for m in Member.objects.filter(workplace__path__startswith=sormovo.path)
        .select_related("user")
        .order_by("member_no")[:80]
        if m.pk not in busy and m.user is not None
    ]
    reasons = charter_as_dict(sormovo)["moderation_reasons"]

    # Answered, and the critic is satisfied.
    canteen = s.criticism_publish(
        user=workers[0].user,
        body=sormovo,
        title="The canteen closes before the second shift eats",
        text="The canteen shuts at 21:00; the second shift's break is at 21:30. For three "
        "months we have eaten bread at the benches.",
        now=now - 12 * DAY,
    )
    for m in workers[1:6]:
        s.criticism_cosign(user=m.user, criticism=canteen, now=now - 11 * DAY)
    s.response_publish(
        user=ivan.user,
        criticism=canteen,
        text="From next Monday the canteen stays open until 23:00. The board has asked the "
        "canteen collective to add one cook to the evening.",
        now=now - 9 * DAY,
    )
    s.response_mark(user=workers[0].user, criticism=canteen, satisfied=True, now=now - 8 * DAY)

    # Anna's: answered, waiting for her mark.
    lockers = s.criticism_publish(
        user=anna.user,
        body=sormovo,
        title="No lockers for the Forge's new apprentices",
        text="Eleven apprentices started in September and still keep their clothes on hooks "
        "by the hammers, in the scale dust.",
        now=now - 5 * DAY,
    )
    for m in workers[6:9]:
        s.criticism_cosign(user=m.user, criticism=lockers, now=now - 4 * DAY)
    s.response_publish(
        user=ivan.user,
        criticism=lockers,
        text="Twenty lockers are ordered from the Assembly shop's workshop; they will be in "
        "place within three weeks.",
        now=now - 2 * DAY,
    )

    # No answer in the week Sormovo's charter gives: escalated to the union's board.
    fans = s.criticism_publish(
        user=workers[9].user,
        body=sormovo,
        title="Extractor fans over the hammers broken since March",
        text="The extractor fans over hammers 2 and 3 have not worked since March. Three "
        "colleagues were off sick with their lungs in October.",
        publicity="federation",
        now=now - 10 * DAY,
    )
    for m in workers[10:22]:
        s.criticism_cosign(user=m.user, criticism=fans, now=now - 9 * DAY)
    s.addition_add(
        user=workers[9].user,
        criticism=fans,
        text="Hammer 1's fan stopped too this week.",
        now=now - 6 * DAY,
    )

    # Answered, but the critic is not satisfied: escalated at once.
    bonus = s.criticism_publish(
        user=workers[22].user,
        body=sormovo,
        title="Night-shift supplement cut without a decision",
        text="The night-shift supplement was cut from 20 % to 10 % in October. There is no "
        "board decision on the record that says so.",
        target="board",
        now=now - 6 * DAY,
    )
    s.criticism_cosign(user=workers[23].user, criticism=bonus, now=now - 6 * DAY)
    s.response_publish(
        user=board[-1].user if board[-1].pk != workers[22].pk else ivan.user,
        criticism=bonus,
        text="The supplement follows the union's tariff; the board has no say in it.",
        now=now - 4 * DAY,
    )
    s.response_mark(user=workers[22].user, criticism=bonus, satisfied=False, now=now - 3 * DAY)

    # Anonymous, about a seat-holder.
    named = next((seat for seat in board_seats(sormovo) if seat.holder_id != ivan.pk), None)
    if named is not None:
        shouts = s.criticism_publish(
            user=workers[24].user,
            body=sormovo,
            title="A board member shouts down apprentices at shop meetings",
            text="At the last two Forge meetings apprentices who asked about the lockers were "
            "told to sit down and be quiet. Apprentices are members like anyone else.",
            target="seat",
            seat=named,
            anonymous=True,
            now=now - 3 * DAY,
        )
        for m in workers[25:28]:
            s.criticism_cosign(user=m.user, criticism=shouts, now=now - 2 * DAY)

    # Addressed to the congress, unanswered past its deadline: overdue there.
    s.criticism_publish(
        user=workers[28].user,
        body=congress,
        title="The plan's housing floor for Nizhny is two years late",
        text="The plan put a floor of 400 dwellings for Nizhny Novgorod for 2025. None are "
        "built. Nobody has said why.",
        publicity="public",
        now=now - 20 * DAY,
    )

    # Hidden by the moderation commission, with the author's appeal collecting signatures.
    moderator = next(m for m in moderators if m.user is not None)
    hidden = s.criticism_publish(
        user=workers[29].user,
        body=sormovo,
        title="The stores clerk steals",
        text="Everyone knows it. He lives at 14 Rozhdestvenskaya, flat 6; go and see his new "
        "furniture.",
        now=now - 4 * DAY,
    )
    act = s.criticism_hide(
        user=moderator.user, criticism=hidden, reason=reasons[0], now=now - 3 * DAY
    )
    s.appeal_sign(user=workers[29].user, act=act, now=now - 2 * DAY)
    needed, _members = s.appeal_needed(sormovo)
    for m in workers[30 : 30 + max(0, min(3, needed - 2))]:
        s.appeal_sign(user=m.user, act=act, now=now - DAY)

    # The deadlines that have passed: escalate the fans, the congress item is overdue.
    s.criticism_sweep(now=now)
