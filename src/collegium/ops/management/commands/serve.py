"""``collegium serve``: a real WSGI server (waitress) with static files from WhiteNoise."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

TICK_SECONDS = 60


def _ticker() -> None:
    """Run the deadline sweep every minute in this process (``collegium tick`` from cron
    does the same for installations with several app servers)."""
    import logging
    import time

    from django.db import close_old_connections

    from collegium.notifications.sweep import run_sweep

    log = logging.getLogger("collegium.tick")
    while True:
        time.sleep(TICK_SECONDS)
        try:
            close_old_connections()
            run_sweep()
        except Exception:  # the server must keep serving; the next tick retries
            log.exception("deadline sweep failed")


def _task_worker() -> None:
    """Run queued background tasks (e-mails) in this process, as ``collegium db_worker``
    does on a separate worker machine."""
    from django.conf import settings

    if "DatabaseBackend" not in settings.TASKS["default"]["BACKEND"]:
        return
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["default"],
        excluded_queue_names=[],
        interval=1.0,
        batch=False,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="collegium-serve",
    ).run()


def serve(host: str, port: int, threads: int, *, ticker: bool = True) -> None:
    import threading

    from waitress import serve as waitress_serve  # type: ignore[import-untyped]

    from collegium.wsgi import application

    if ticker:
        threading.Thread(target=_ticker, name="collegium-tick", daemon=True).start()
        threading.Thread(target=_task_worker, name="collegium-tasks", daemon=True).start()

    waitress_serve(application, host=host, port=port, threads=threads, ident="collegium")


class Command(BaseCommand):
    help = "Serve Collegium over HTTP with waitress (put a TLS proxy in front in production)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--no-tick",
            action="store_true",
            help="do not run the deadline sweep in this process (use "
            "`collegium tick` from cron instead)",
        )

    def handle(
        self, *args: Any, host: str, port: int, threads: int, no_tick: bool, **options: Any
    ) -> None:
        self.stdout.write(f"address: http://{host}:{port}/")
        serve(host, port, threads, ticker=not no_tick)
