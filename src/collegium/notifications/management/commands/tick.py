"""``collegium tick``: run everything that has fallen due (cron it every few minutes)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from collegium.notifications.sweep import run_sweep


class Command(BaseCommand):
    help = "Count closed elections and recall ballots, lapse old petitions, checkpoint daily."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(run_sweep()))
