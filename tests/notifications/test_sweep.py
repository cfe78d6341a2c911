from __future__ import annotations

import datetime as dt

from collegium.elections.models import Election
from collegium.elections.services import (
    ballot_cast,
    election_call,
    election_open_voting,
    nomination_submit,
)
from collegium.notifications.models import Notification
from collegium.notifications.sweep import run_sweep
from collegium.record.models import Checkpoint
from tests.elections.test_services import CLOSE_NOMINATIONS, CLOSE_VOTING, DURING_VOTING, NOW


def test_sweep_counts_due_elections_once_and_notifies(small_federation):
    f = small_federation
    from collegium.federation.services import charter_change

    charter_change(
        user=f.board_member.user,
        body=f.enterprise,
        changes={"board_seats": 1, "production_worker_quota_pct": 0},
        reason="r",
    )
    election = election_call(
        user=f.board_member.user,
        body=f.enterprise,
        nominations_close_at=CLOSE_NOMINATIONS,
        voting_closes_at=CLOSE_VOTING,
        now=NOW,
    )
    nomination_submit(user=f.worker.user, election=election, nominee=f.worker, now=NOW)
    election_open_voting(user=f.board_member.user, election=election, now=CLOSE_NOMINATIONS)
    assert Notification.objects.filter(kind="election.voting_opened").count() == 3
    ballot_cast(user=f.worker.user, election=election, ranking=[1], now=DURING_VOTING)

    assert run_sweep(now=DURING_VOTING)["elections_counted"] == 0
    first = run_sweep(now=CLOSE_VOTING + dt.timedelta(minutes=1))
    assert first["elections_counted"] == 1
    assert run_sweep(now=CLOSE_VOTING + dt.timedelta(minutes=2))["elections_counted"] == 0
    election.refresh_from_db()
    assert election.state == Election.State.COUNTED
    assert Notification.objects.filter(kind="election.counted").count() == 3
    assert Checkpoint.objects.exists()


def test_tick_command_prints_what_it_did(db, capsys):
    from django.core.management import call_command

    call_command("tick")
    assert '"elections_counted": 0' in capsys.readouterr().out
