"""``python -m django conditions floors [--body CODE] [--until YYYY-MM-DD] [--out FILE]``

Writes the floors that promised, unfixed remedies put into the production plan: the
materials of every such remedy summed per product, as CSV with the columns
``product,floor`` of the planner's ``targets.csv`` (read by ``collegium plan solve
--floors FILE``). Exit codes: 0 written, 1 a product promised in two units, 2 usage.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from collegium.conditions.selectors import remedy_floors
from collegium.conditions.transitions import ConditionsError
from collegium.federation.selectors import body_by_code


class Command(BaseCommand):
    help = "Condition reports: write the plan floors of promised remedies (floors)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        floors = sub.add_parser("floors", help="materials of promised remedies as plan floors")
        floors.add_argument("--body", metavar="CODE", help="only reports at or below this body")
        floors.add_argument(
            "--until", metavar="YYYY-MM-DD", help="only remedies due on or before this date"
        )
        floors.add_argument("--out", metavar="FILE", help="write here instead of stdout")

    def handle(self, *args: Any, **options: Any) -> None:
        body = None
        if options.get("body"):
            body = body_by_code(options["body"])
            if body is None:
                raise CommandError(f"--body: no body with code {options['body']!r}", returncode=2)
        until = None
        if options.get("until"):
            try:
                until = dt.date.fromisoformat(options["until"])
            except ValueError:
                raise CommandError(
                    f"--until: {options['until']!r} is not a date (YYYY-MM-DD)", returncode=2
                ) from None
        try:
            floors = remedy_floors(body, until)
        except ConditionsError as exc:
            raise CommandError(str(exc), returncode=1) from None
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["product", "floor"])
        for floor in floors:
            writer.writerow([floor.product, format(floor.quantity.normalize(), "f")])
        if options.get("out"):
            Path(options["out"]).write_text(buffer.getvalue(), encoding="utf-8")
            self.stderr.write(
                f"{len(floors)} product floor{'s' if len(floors) != 1 else ''} "
                f"written to {options['out']}"
            )
        else:
            self.stdout.write(buffer.getvalue(), ending="")
