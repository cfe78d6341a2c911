"""``collegium import bodies|members FILE.csv [--dry-run]``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from collegium.federation.imports import (
    ImportPlan,
    ImportRejected,
    bodies_import,
    members_import,
)


class Command(BaseCommand):
    help = (
        "Import bodies (code,name,kind,parent_code) or members (member_no,given_name,"
        "family_name,email,category,body_code[,joined_on]) from CSV: all or nothing."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("what", choices=["bodies", "members"])
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would change and change nothing"
        )
        parser.add_argument(
            "--no-invite", action="store_true", help="do not e-mail invitation links to new members"
        )
        parser.add_argument(
            "--operator",
            default=None,
            help="username of the operator account acting (default: the only operator)",
        )

    def handle(
        self,
        *args: Any,
        what: str,
        file: str,
        dry_run: bool,
        no_invite: bool,
        operator: str | None,
        **options: Any,
    ) -> None:
        path = Path(file)
        if not path.is_file():
            self.stderr.write(f"{file}: no such file")
            sys.exit(2)
        operators = get_user_model().objects.filter(is_operator=True, is_active=True)
        if operator:
            operators = operators.filter(username=operator)
        if operators.count() != 1:
            raise CommandError(
                "name the operator account with --operator (create one with "
                "`collegium createoperator`)"
                if operators.count() > 1
                else "no operator account; create one with `collegium createoperator`"
            )
        user = operators.get()
        data = path.read_bytes()
        try:
            if what == "bodies":
                plan = bodies_import(user=user, data=data, filename=file, dry_run=dry_run)
            else:
                plan = members_import(
                    user=user,
                    data=data,
                    filename=file,
                    dry_run=dry_run,
                    invite=not no_invite,
                    base_url=settings.COLLEGIUM_BASE_URL,
                )
        except ImportRejected as exc:
            for line in exc.plan.error_lines():
                self.stderr.write(line)
            self.stderr.write(f"{len(exc.plan.problems)} problem(s); nothing was imported.")
            sys.exit(1)
        self._print_plan(plan, dry_run)

    def _print_plan(self, plan: ImportPlan, dry_run: bool) -> None:
        key = "code" if plan.what == "bodies" else "member_no"
        for row in plan.added:
            self.stdout.write(f"+ add {row[key]}  {row.get('name') or row.get('family_name')}")
        for row in plan.changed:
            fields = ", ".join(f"{k}={v!r}" for k, v in row.items() if k != key)
            self.stdout.write(f"~ change {row[key]}: {fields}")
        verb = "Would import" if dry_run else "Imported"
        self.stdout.write(f"{verb} {plan.what}: {plan.summary()}.")
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
