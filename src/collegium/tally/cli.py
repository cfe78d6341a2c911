"""``collegium tally FILE…``: count ballot files and print their count sheets.

Exit codes: 0 every file counted and every seat filled; 1 a file was malformed or a count
could not fill its seats; 2 a usage error (unknown option, a file that does not exist or
cannot be read, seats missing for a format that has none).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TextIO

from collegium.tally import METHODS, count
from collegium.tally.formats import FORMATS, detect_format, read_ballots
from collegium.tally.model import Candidate, FormatError, TallyError

EPILOG = """\
Formats, by extension or --format: .blt (seats in the file; --seats overrides), .csv
(Collegium's: header 'weight,NAME,NAME,…', one row per ballot, each cell the preference
given to that candidate), PrefLib .soi/.soc/.toc/.toi (a tie in a .toc ballot ends its
preferences). Ties are broken by the statute's look-back, then by lot from the printed
seed (default: taken from the ballots' SHA-256, so a recount draws the same).
"""


def _pair(text: str, what: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip() or not value.strip():
        raise argparse.ArgumentTypeError(f"expected {what}, not {text!r}")
    return key.strip(), value.strip()


def _category(text: str) -> tuple[int, str]:
    key, value = _pair(text, "CANDIDATE=CATEGORY")
    if not key.isdigit() or int(key) < 1:
        raise argparse.ArgumentTypeError(f"candidate number expected in {text!r}")
    return int(key), value


def _minimum(text: str) -> tuple[str, int]:
    key, value = _pair(text, "CATEGORY=K")
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"a whole number of seats expected in {text!r}")
    return key, int(value)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a positive whole number expected, not {text!r}")
    return int(text)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="collegium tally",
        description="Count ballot files and print each count sheet.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="ballot files to count")
    p.add_argument(
        "--method",
        choices=METHODS,
        default="scottish-stv",
        help="counting rule (default scottish-stv; with one seat it is instant run-off)",
    )
    p.add_argument("--seats", type=_positive, help="seats to fill (places to choose)")
    p.add_argument("--seed", type=int, help="seed of the lot (default: from the ballots)")
    p.add_argument("--format", choices=FORMATS, help="file format (default: by extension)")
    p.add_argument("--json", action="store_true", help="print one JSON object per file per line")
    p.add_argument(
        "--category",
        type=_category,
        action="append",
        default=[],
        metavar="N=CATEGORY",
        help="candidate N belongs to CATEGORY (repeat for each candidate)",
    )
    p.add_argument(
        "--minimum",
        type=_minimum,
        action="append",
        default=[],
        metavar="CATEGORY=K",
        help="at least K seats go to CATEGORY (scottish-stv)",
    )
    return p


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    try:
        args = parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as e:
        return int(e.code or 0)
    worst = 0
    for path in args.files:
        code, obj, text = _one(path, args)
        worst = max(worst, code)
        if args.json:
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
        elif text is not None:
            if len(args.files) > 1:
                out.write(f"==> {path} <==\n")
            out.write(text)
            if len(args.files) > 1:
                out.write("\n")
        else:
            print(f"{path}:{obj['error']}", file=sys.stderr)
        out.flush()
    return worst


def _one(path: str, args: argparse.Namespace) -> tuple[int, dict[str, object], str | None]:
    try:
        kind = args.format or detect_format(path)
    except ValueError as e:
        return 2, {"file": path, "error": f"0:0: {e}"}, None
    try:
        ballots = read_ballots(path, format=kind, seats=args.seats)
    except FormatError as e:
        return 1, {"file": path, "error": str(e)}, None
    except OSError as e:
        return 2, {"file": path, "error": f"0:0: cannot read: {e.strerror or e}"}, None
    if args.category:
        cands = list(ballots.candidates)
        for number, cat in args.category:
            if number > len(cands):
                msg = f"0:0: --category {number}: there are only {len(cands)} candidates"
                return 2, {"file": path, "error": msg}, None
            old = cands[number - 1]
            cands[number - 1] = Candidate(old.number, old.name, cat)
        ballots = ballots.with_candidates(cands)
    seats = ballots.seats
    if seats is None and args.method in ("scottish-stv", "meek-stv"):
        msg = f"0:0: a .{kind} file does not give the number of seats: use --seats N"
        return 2, {"file": path, "error": msg}, None
    try:
        sheet = count(
            ballots, args.method, seats, seed=args.seed, minimums=dict(args.minimum) or None
        )
    except (ValueError, TallyError) as e:
        return 1, {"file": path, "error": f"0:0: {e}"}, None
    obj: dict[str, object] = {"file": path, **sheet.to_json()}
    return (0 if sheet.complete else 1), obj, sheet.to_text()


if __name__ == "__main__":
    raise SystemExit(main())
