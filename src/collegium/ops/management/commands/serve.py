"""``collegium serve``: a real WSGI server (waitress) with static files from WhiteNoise."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand


def serve(host: str, port: int, threads: int) -> None:
    from waitress import serve as waitress_serve  # type: ignore[import-untyped]

    from collegium.wsgi import application

    waitress_serve(application, host=host, port=port, threads=threads, ident="collegium")


class Command(BaseCommand):
    help = "Serve Collegium over HTTP with waitress (put a TLS proxy in front in production)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, host: str, port: int, threads: int, **options: Any) -> None:
        self.stdout.write(f"address: http://{host}:{port}/")
        serve(host, port, threads)
