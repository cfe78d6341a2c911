"""``collegium record verify [--json] [--since FILE]`` and ``collegium record checkpoint``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

from collegium.record.checkpoints import checkpoint_create, verifier
from collegium.record.verification import record_verify


class Command(BaseCommand):
    help = "Verify the public record, or sign a checkpoint of it."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="recompute the whole record and check the latest signed checkpoint"
        )
        verify.add_argument("--json", action="store_true", help="machine-readable result")
        verify.add_argument(
            "--since",
            metavar="CHECKPOINT_FILE",
            help="also prove the record only grew since this checkpoint",
        )
        checkpoint = sub.add_parser("checkpoint", help="sign the current tree head")
        checkpoint.add_argument("--out", help="also write the signed note to this file")
        sub.add_parser("verifier", help="print this federation's public verifier key")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        if action == "checkpoint":
            signed = checkpoint_create()
            if options.get("out"):
                Path(options["out"]).write_text(signed.note)
            self.stdout.write(signed.note, ending="")
            return
        if action == "verifier":
            self.stdout.write(verifier())
            return
        since_note = None
        if options.get("since"):
            path = Path(options["since"])
            if not path.is_file():
                self.stderr.write(f"{path}: no such file")
                sys.exit(2)
            since_note = path.read_text(encoding="utf-8", errors="replace")
        report = record_verify(since_note=since_note)
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json()))
        elif report.ok:
            cp = report.checkpoint
            self.stdout.write(
                f"OK: {report.size} entries, root {report.root}"
                + (f"; checkpoint at size {cp['size']} verified" if cp else "; no checkpoint yet")
            )
        else:
            where = (
                f" (first bad entry: #{report.first_bad})" if report.first_bad is not None else ""
            )
            self.stderr.write(f"FAILED{where}: {report.error}")
        if not report.ok:
            sys.exit(1)
