"""The ``collegium`` command.

Pure subcommands (``tally``, ``plan``) run without Django so they start fast and work on
files alone; everything else is a Django management command.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence

PURE_COMMANDS = {
    "tally": "collegium.tally.cli",
    "plan": "collegium.planner.cli",
}


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in PURE_COMMANDS:
        module = importlib.import_module(PURE_COMMANDS[args[0]])
        return int(module.main(args[1:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "collegium.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["collegium", *args])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
