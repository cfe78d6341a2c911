"""``collegium demo``: build the demo federation (once) and serve it."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test.utils import override_settings


def _database_has_demo() -> bool:
    from django.db.utils import DatabaseError

    try:
        from collegium.federation.models import Body

        return Body.objects.exists()
    except DatabaseError:
        return False


class Command(BaseCommand):
    help = "Build the demo federation if the database has none, print logins, and serve it."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the demo database (SQLite only) and build it anew",
        )
        parser.add_argument("--no-serve", action="store_true", help="build, print, exit")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")

    def handle(
        self, *args: Any, reset: bool, no_serve: bool, port: int, host: str, **options: Any
    ) -> None:
        from collegium.ops.demo import DEMO_LOGINS, build_demo

        db = settings.DATABASES["default"]
        if reset:
            if db["ENGINE"] != "django.db.backends.sqlite3":
                raise CommandError(
                    "--reset deletes a SQLite file; drop a PostgreSQL database yourself"
                )
            connection.close()
            name = Path(str(db["NAME"]))
            for path in (name, Path(f"{name}-wal"), Path(f"{name}-shm")):
                path.unlink(missing_ok=True)
        started = time.monotonic()
        call_command("migrate", verbosity=0, interactive=False)
        if _database_has_demo():
            self.stdout.write("Using the existing demo database (--reset builds it anew).")
        else:
            self.stdout.write("Building the demo federation …")
            # The demo's members have made-up addresses: notices stay in the app.
            with override_settings(COLLEGIUM_EMAIL_NOTIFICATIONS=False):
                build_demo(progress=lambda msg: print(f"  {msg}", file=sys.stderr))
            self.stdout.write(f"Built in {time.monotonic() - started:.1f} s.")
        from collegium.federation.models import Body, Member

        self.stdout.write(
            f"{Body.objects.count()} bodies, {Member.objects.count()} members "
            f"(database: {db['NAME']})"
        )
        self.stdout.write(f"address: http://{host}:{port}/")
        for login in DEMO_LOGINS:
            self.stdout.write(f"login: {login.role} {login.username} {login.password}")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.role}: {login.description}")
        if no_serve:
            return
        from collegium.ops.management.commands.serve import serve

        self.stdout.write("Serving; press Ctrl+C to stop.")
        serve(host, port, threads=8)
