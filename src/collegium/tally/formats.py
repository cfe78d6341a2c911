"""Reading and writing ballot files: BLT, PrefLib (``.soi``, ``.toc``, ``.soc``, ``.toi``)
and Collegium's CSV.

BLT (the ERS / OpenSTV format, as found in the wild)::

    4 2                 number of candidates, number of seats
    -3                  optional: withdrawn candidates as negative numbers
    12 1 2 0            weight, preferences (candidate numbers), 0
    3 4 0
    0                   end of ballots
    "Alice"             one name per candidate (quoted or not)
    "Bob"
    "Carol"
    "Dave"
    "Ward 9"            optional title

Tolerated: a last line without a newline, CRLF line ends, blank lines, names quoted
CSV-style with doubled quotes (``"Ann ""Nan"" Lee"``), a name line of several quoted
fields (``"Ann LEE" "Green Party"`` reads ``Ann LEE (Green Party)``), all the quoted names
on one line,
files where every line ends with a comma (names are then CSV rows, their fields joined by
a space), a UTF-8 byte order mark, and text that is not UTF-8 (read as Windows-1252).
Refused with ``LINE:COLUMN: reason``: a candidate ranked twice, a skipped rank (``-``),
an equal preference (``=``), an unknown candidate, a missing closing ``0``, a weight that
is not a whole number, too few names.

Collegium CSV (one row per ballot, one column per candidate, as on the ballot paper)::

    weight,Alice,Bob,Carol
    1,1,2,
    3,2,1,3
    2,,,1

The ``weight`` column is optional (default 1); every other header cell is a candidate
name, in candidate-number order. A cell holds the preference given to that candidate
(1 = first) or is empty. Preferences on a row must run 1, 2, 3 … without a gap or a
repeat. UTF-8, with or without a byte order mark. Seats are not in the file (``--seats``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

from collegium.tally.model import BallotSet, Candidate, FormatError

FORMATS = ("blt", "csv", "soi", "soc", "toc", "toi")

_NEWLINE = re.compile(r"\r\n|\r|\n")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM); anything else is read as Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _lines(text: str) -> list[str]:
    lines = _NEWLINE.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _tokens(line: str, commas: bool) -> Iterator[tuple[str, int]]:
    """Whitespace-separated tokens (and comma-separated in comma files) with 1-based columns."""
    pattern = r"[^\s,]+" if commas else r"\S+"
    for m in re.finditer(pattern, line):
        yield m.group(0), m.start() + 1


# ---------------------------------------------------------------------------- BLT


def read_blt(source: str | bytes, *, file: str | None = None) -> BallotSet:
    """Parse BLT text (or bytes). Errors are :class:`FormatError` with line and column."""
    text = decode(source) if isinstance(source, bytes) else source
    try:
        return _read_blt(_lines(text))
    except FormatError as e:
        e.file = file
        raise


def _int_token(tok: str, line: int, col: int, what: str) -> int:
    if not re.fullmatch(r"[+-]?\d+", tok):
        raise FormatError(line, col, f"{what} must be a whole number, not {tok!r}")
    return int(tok)


def _read_blt(lines: list[str]) -> BallotSet:
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i == len(lines):
        raise FormatError(1, 1, "empty file: expected 'CANDIDATES SEATS' on the first line")
    header = lines[i]
    commas = header.rstrip().endswith(",")
    toks = list(_tokens(header, commas))
    if len(toks) != 2:
        col = toks[2][1] if len(toks) > 2 else 1
        raise FormatError(i + 1, col, "the first line must be 'CANDIDATES SEATS'")
    n = _int_token(toks[0][0], i + 1, toks[0][1], "the number of candidates")
    seats = _int_token(toks[1][0], i + 1, toks[1][1], "the number of seats")
    if n < 1:
        raise FormatError(i + 1, toks[0][1], "the number of candidates must be at least 1")
    if seats < 1:
        raise FormatError(i + 1, toks[1][1], "the number of seats must be at least 1")
    i += 1

    fast = _fast_blt(lines, i, n, seats, commas)
    if fast is not None:
        return fast
    withdrawn: list[int] = []
    rows: list[list[int]] = []
    weights: list[int] = []
    ended = False
    first_ballot_line = True
    while i < len(lines):
        line = lines[i]
        lineno = i + 1
        i += 1
        toks = list(_tokens(line, commas))
        if not toks:
            continue
        if first_ballot_line and toks[0][0].startswith("-"):
            for tok, col in toks:
                k = _int_token(tok, lineno, col, "a withdrawn candidate")
                if k >= 0 or -k > n:
                    raise FormatError(
                        lineno, col, f"withdrawn candidates are -1 … -{n}, not {tok!r}"
                    )
                withdrawn.append(-k - 1)
            continue
        first_ballot_line = False
        if len(toks) == 1 and toks[0][0] == "0":
            ended = True
            break
        weights.append(_blt_weight(toks[0], lineno))
        rows.append(_blt_ballot(toks, lineno, n))
    if not ended:
        raise FormatError(len(lines) + 1, 1, "missing the line '0' that ends the ballots")

    names, title = _blt_names(lines, i, n, commas)
    depth = max((len(r) for r in rows), default=0)
    ranks = np.full((len(rows), depth), -1, dtype=np.int64)
    for k, r in enumerate(rows):
        ranks[k, : len(r)] = r
    return BallotSet(
        [Candidate(j + 1, name) for j, name in enumerate(names)],
        ranks,
        np.asarray(weights, dtype=np.int64),
        seats=seats,
        title=title,
        withdrawn=withdrawn,
        validate=False,
    )


_BALLOT_BLOCK = re.compile(r"(?:[ \t]*(?:\d+[ \t]+)+0[ \t]*\n|[ \t]*\n)*")


def _fast_blt(lines: list[str], i: int, n: int, seats: int, commas: bool) -> BallotSet | None:
    """The common case (no withdrawn line, plain valid ballots) parsed with numpy.

    Returns ``None`` whenever anything is unusual; the line-by-line reader then finds
    the problem and names its line and column.
    """
    end = None
    for k in range(i, len(lines)):
        if lines[k].strip(" \t,") == "0":
            end = k
            break
    if end is None:
        return None
    block = lines[i:end]
    if commas:
        block = [ln.rstrip(" \t").removesuffix(",") for ln in block]
    text = "\n".join(block) + "\n" if block else ""
    if not text.isascii() or not _BALLOT_BLOCK.fullmatch(text):
        return None
    nums = np.array(text.split(), dtype=np.int64)
    nonblank = sum(1 for ln in block if ln.strip())
    zeros = np.flatnonzero(nums == 0)
    if len(zeros) != nonblank:
        return None  # a weight of 0: let the careful reader handle it
    starts = np.concatenate(([0], zeros[:-1] + 1)) if nonblank else np.zeros(0, dtype=np.int64)
    weights = nums[starts]
    lengths = zeros - starts - 1
    depth = int(lengths.max()) if nonblank else 0
    ranks = np.full((nonblank, depth), -1, dtype=np.int64)
    if depth:
        row = np.repeat(np.arange(nonblank), lengths)
        first = np.repeat(starts + 1, lengths)
        col = np.arange(len(row)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        ranks[row, col] = nums[first + col] - 1
        if ranks.max() >= n:
            return None
        srt = np.sort(ranks, axis=1)
        if ((srt[:, 1:] == srt[:, :-1]) & (srt[:, 1:] >= 0)).any():
            return None
    names, title = _blt_names(lines, end + 1, n, commas)
    return BallotSet(
        [Candidate(j + 1, name) for j, name in enumerate(names)],
        ranks,
        weights,
        seats=seats,
        title=title,
        validate=False,
    )


def _blt_weight(tok: tuple[str, int], lineno: int) -> int:
    text, col = tok
    if re.fullmatch(r"\d+\.\d*|\.\d+", text):
        raise FormatError(lineno, col, f"the weight must be a whole number, not {text!r}")
    w = _int_token(text, lineno, col, "the weight")
    if w < 0:
        raise FormatError(lineno, col, "the weight must not be negative")
    return w


def _blt_ballot(toks: list[tuple[str, int]], lineno: int, n: int) -> list[int]:
    if toks[0][0].startswith("("):
        raise FormatError(lineno, toks[0][1], "ballot identifiers in parentheses are not supported")
    prefs: list[int] = []
    seen: set[int] = set()
    for k, (tok, col) in enumerate(toks[1:], start=1):
        if tok == "0":
            if k != len(toks) - 1:
                raise FormatError(lineno, toks[k + 1][1], "text after the 0 that ends the ballot")
            return prefs
        if "=" in tok:
            raise FormatError(
                lineno, col + tok.index("="), "equal preferences ('=') are not supported"
            )
        if tok == "-":
            raise FormatError(lineno, col, "skipped rank ('-'): preferences must be consecutive")
        c = _int_token(tok, lineno, col, "a preference")
        if c < 1 or c > n:
            raise FormatError(lineno, col, f"unknown candidate {c} (there are {n})")
        if c in seen:
            raise FormatError(lineno, col, f"candidate {c} is ranked twice")
        seen.add(c)
        prefs.append(c - 1)
    col = toks[-1][1] + len(toks[-1][0])
    raise FormatError(lineno, col, "the ballot does not end with 0")


def _quoted(line: str, lineno: int) -> list[str]:
    """Quoted names on one line, CSV-style (a doubled quote is a quote)."""
    out: list[str] = []
    k = 0
    while k < len(line):
        ch = line[k]
        if ch in " \t,":
            k += 1
            continue
        if ch != '"':
            raise FormatError(lineno, k + 1, "text outside the quotes of a name")
        start = k
        k += 1
        buf: list[str] = []
        while True:
            if k >= len(line):
                raise FormatError(lineno, start + 1, "a quoted name is not closed")
            if line[k] == '"':
                if k + 1 < len(line) and line[k + 1] == '"':
                    buf.append('"')
                    k += 2
                    continue
                k += 1
                break
            buf.append(line[k])
            k += 1
        out.append("".join(buf).strip())
    return out


def _blt_names(lines: list[str], i: int, n: int, commas: bool) -> tuple[list[str], str]:
    """One name per line; then an optional title line.

    A line of several quoted fields (``"George HALL" "Scottish Green Party"``) is one
    entry: the first field is the name, the others follow in parentheses. Files that
    put all the quoted names on fewer lines than there are candidates are read field
    by field instead.
    """
    per_line: list[tuple[list[str], int]] = []
    for k in range(i, len(lines)):
        line = lines[k].strip()
        if not line:
            continue
        if line.startswith('"'):
            per_line.append((_quoted(line, k + 1), k + 1))
        elif commas:
            fields = next(csv.reader([line]))
            per_line.append(([" ".join(f.strip() for f in fields if f.strip())], k + 1))
        else:
            per_line.append(([line], k + 1))
    entries: list[tuple[str, int]] = []
    if len(per_line) < n and sum(len(f) for f, _ in per_line) in (n, n + 1):
        entries = [(field, k) for fields, k in per_line for field in fields]
    else:
        for fields, k in per_line:
            name = fields[0]
            if len(fields) > 1:
                name += " (" + ", ".join(fields[1:]) + ")"
            entries.append((name, k))
    if len(entries) < n:
        raise FormatError(len(lines) + 1, 1, f"expected {n} candidate names, found {len(entries)}")
    if len(entries) > n + 1:
        raise FormatError(entries[n + 1][1], 1, "unexpected text after the title")
    names = [e[0] for e in entries[:n]]
    title = entries[n][0] if len(entries) > n else ""
    return names, title


def _quote(text: str) -> str:
    if "\n" in text or "\r" in text:
        raise ValueError(f"a name cannot contain a line break: {text!r}")
    return '"' + text.replace('"', '""') + '"'


def write_blt(ballots: BallotSet, *, seats: int | None = None, aggregate: bool = False) -> str:
    """BLT text for ``ballots`` (one line per row, in order, unless ``aggregate``).

    Names and title are quoted (doubled quotes inside); the text ends with a newline.
    """
    seats = ballots.seats if seats is None else seats
    if seats is None:
        raise ValueError("the number of seats is needed to write a BLT file")
    src = ballots.aggregate() if aggregate else ballots
    out = io.StringIO()
    out.write(f"{len(src.candidates)} {seats}\n")
    if src.withdrawn:
        out.write(" ".join(f"-{c + 1}" for c in sorted(src.withdrawn)) + "\n")
    for row, w in zip(src.rankings.tolist(), src.weights.tolist(), strict=True):
        prefs = " ".join(str(c + 1) for c in row if c >= 0)
        out.write(f"{w} {prefs} 0\n" if prefs else f"{w} 0\n")
    out.write("0\n")
    for c in src.candidates:
        out.write(_quote(c.name) + "\n")
    out.write(_quote(src.title) + "\n")
    return out.getvalue()


# ---------------------------------------------------------------------------- PrefLib


def read_preflib(
    source: str | bytes, kind: str, *, file: str | None = None, seats: int | None = None
) -> BallotSet:
    """Parse a PrefLib ``.soi``/``.soc``/``.toc``/``.toi`` file (2022 format or the older one).

    In ``.toc``/``.toi`` a tie (``{2,3}``) ends that ballot's preferences; in ``.soi``
    and ``.soc`` a tie is an error.
    """
    text = decode(source) if isinstance(source, bytes) else source
    kind = kind.lower().lstrip(".")
    if kind not in ("soi", "soc", "toc", "toi"):
        raise ValueError(f"unknown PrefLib kind {kind!r}")
    try:
        lines = _lines(text)
        first = next((ln for ln in lines if ln.strip()), "")
        if first.lstrip().startswith("#"):
            return _read_preflib_new(lines, kind, seats)
        return _read_preflib_old(lines, kind, seats)
    except FormatError as e:
        e.file = file
        raise


def _preflib_order(text: str, col0: int, lineno: int, n: int, kind: str) -> list[int]:
    """Parse ``1,{2,3},4``: candidates 1-based, returned 0-based, cut at the first tie."""
    prefs: list[int] = []
    seen: set[int] = set()
    k = 0
    ties_allowed = kind in ("toc", "toi")
    stop = False
    while k < len(text) and not stop:
        ch = text[k]
        if ch in " \t,":
            k += 1
            continue
        col = col0 + k
        if ch == "{":
            end = text.find("}", k)
            if end < 0:
                raise FormatError(lineno, col, "'{' is not closed")
            inner = [t.strip() for t in text[k + 1 : end].split(",") if t.strip()]
            if not inner:
                raise FormatError(lineno, col, "empty '{}'")
            group = [_preflib_candidate(t, lineno, col, n) for t in inner]
            k = end + 1
            if len(group) > 1:
                if not ties_allowed:
                    raise FormatError(lineno, col, f"a tie is not allowed in a .{kind} file")
                for c in group:
                    if c in seen:
                        raise FormatError(lineno, col, f"candidate {c + 1} is ranked twice")
                stop = True  # a tie ends this ballot's preferences
                break
            c = group[0]
        else:
            m = re.match(r"[^\s,{}]+", text[k:])
            tok = m.group(0) if m else text[k]
            c = _preflib_candidate(tok, lineno, col, n)
            k += len(tok)
        if c in seen:
            raise FormatError(lineno, col, f"candidate {c + 1} is ranked twice")
        seen.add(c)
        prefs.append(c)
    return prefs


def _preflib_candidate(tok: str, lineno: int, col: int, n: int) -> int:
    c = _int_token(tok, lineno, col, "a candidate")
    if c < 1 or c > n:
        raise FormatError(lineno, col, f"unknown candidate {c} (there are {n})")
    return c - 1


def _read_preflib_new(lines: list[str], kind: str, seats: int | None) -> BallotSet:
    meta: dict[str, str] = {}
    names: dict[int, str] = {}
    rows: list[list[int]] = []
    weights: list[int] = []
    n: int | None = None
    for k, line in enumerate(lines):
        lineno = k + 1
        s = line.strip()
        if not s:
            continue
        if s.startswith("#"):
            key, _, value = s[1:].partition(":")
            key = key.strip().upper()
            m = re.fullmatch(r"ALTERNATIVE NAME (\d+)", key)
            if m:
                names[int(m.group(1))] = value.strip()
            else:
                meta[key] = value.strip()
            continue
        if n is None:
            if "NUMBER ALTERNATIVES" not in meta:
                raise FormatError(
                    lineno, 1, "'# NUMBER ALTERNATIVES: N' must come before the orders"
                )
            n = _int_token(meta["NUMBER ALTERNATIVES"], lineno, 1, "NUMBER ALTERNATIVES")
        count, sep, order = line.partition(":")
        if not sep:
            raise FormatError(lineno, 1, "expected 'COUNT: ORDER'")
        w = _int_token(count.strip(), lineno, 1, "the count")
        if w < 0:
            raise FormatError(lineno, 1, "the count must not be negative")
        rows.append(_preflib_order(order, len(count) + 2, lineno, n, kind))
        weights.append(w)
    if n is None:
        if "NUMBER ALTERNATIVES" not in meta:
            raise FormatError(len(lines) + 1, 1, "no '# NUMBER ALTERNATIVES: N' line")
        n = _int_token(meta["NUMBER ALTERNATIVES"], 1, 1, "NUMBER ALTERNATIVES")
    cands = [Candidate(j, names.get(j, f"Alternative {j}")) for j in range(1, n + 1)]
    return _set(cands, rows, weights, seats, meta.get("TITLE", ""))


def _read_preflib_old(lines: list[str], kind: str, seats: int | None) -> BallotSet:
    body = [(k + 1, ln) for k, ln in enumerate(lines) if ln.strip()]
    if not body:
        raise FormatError(1, 1, "empty file")
    lineno, first = body[0]
    n = _int_token(first.strip(), lineno, 1, "the number of alternatives")
    if len(body) < n + 2:
        raise FormatError(len(lines) + 1, 1, f"expected {n} alternative lines and a count line")
    cands: list[Candidate] = []
    for j in range(1, n + 1):
        lineno, ln = body[j]
        num, sep, name = ln.partition(",")
        if not sep or _int_token(num.strip(), lineno, 1, "the alternative number") != j:
            raise FormatError(lineno, 1, f"expected '{j},NAME'")
        cands.append(Candidate(j, name.strip()))
    rows: list[list[int]] = []
    weights: list[int] = []
    for lineno, ln in body[n + 2 :]:
        count, sep, order = ln.partition(",")
        if not sep:
            raise FormatError(lineno, 1, "expected 'COUNT,ORDER'")
        w = _int_token(count.strip(), lineno, 1, "the count")
        if w < 0:
            raise FormatError(lineno, 1, "the count must not be negative")
        rows.append(_preflib_order(order, len(count) + 2, lineno, n, kind))
        weights.append(w)
    return _set(cands, rows, weights, seats, "")


def _set(
    cands: Sequence[Candidate],
    rows: list[list[int]],
    weights: list[int],
    seats: int | None,
    title: str,
) -> BallotSet:
    depth = max((len(r) for r in rows), default=0)
    ranks = np.full((len(rows), depth), -1, dtype=np.int64)
    for k, r in enumerate(rows):
        ranks[k, : len(r)] = r
    return BallotSet(
        cands, ranks, np.asarray(weights, dtype=np.int64), seats=seats, title=title, validate=False
    )


# ---------------------------------------------------------------------------- CSV


def read_csv(
    source: str | bytes, *, file: str | None = None, seats: int | None = None
) -> BallotSet:
    """Parse Collegium's ballot CSV (see the module docstring).

    Errors name the line and the column by its header name.
    """
    text = decode(source) if isinstance(source, bytes) else source
    try:
        return _read_csv(text, seats)
    except FormatError as e:
        e.file = file
        raise


def _read_csv(text: str, seats: int | None) -> BallotSet:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FormatError(1, 1, "empty file: expected a header of candidate names") from None
    except csv.Error as e:
        raise FormatError(1, 1, f"not valid CSV: {e}") from None
    header = [h.strip() for h in header]
    has_weight = bool(header) and header[0].lower() == "weight"
    names = header[1:] if has_weight else header
    if not names:
        raise FormatError(1, 1, "the header names no candidates")
    offset = 1 if has_weight else 0
    seen_names: set[str] = set()
    for j, name in enumerate(names):
        if not name:
            raise FormatError(1, j + offset + 1, "empty candidate name in the header")
        if name in seen_names:
            raise FormatError(1, name, f"candidate {name!r} appears twice in the header")
        seen_names.add(name)
    n = len(names)
    rows: list[list[int]] = []
    weights: list[int] = []
    try:
        for cells in reader:
            lineno = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                raise FormatError(
                    lineno, len(header) + 1, f"{len(cells)} cells for {len(header)} columns"
                )
            cells = cells + [""] * (len(header) - len(cells))
            w = 1
            if has_weight:
                wt = cells[0].strip()
                if not re.fullmatch(r"\d+", wt):
                    raise FormatError(
                        lineno, "weight", f"the weight must be a whole number, not {wt!r}"
                    )
                w = int(wt)
            by_rank: dict[int, int] = {}
            for j in range(n):
                cell = cells[j + offset].strip()
                if not cell:
                    continue
                if not re.fullmatch(r"\d+", cell):
                    raise FormatError(
                        lineno, names[j], f"a preference must be a number, not {cell!r}"
                    )
                r = int(cell)
                if r < 1:
                    raise FormatError(lineno, names[j], "preferences start at 1")
                if r in by_rank:
                    other = names[by_rank[r]]
                    raise FormatError(
                        lineno, names[j], f"preference {r} is given twice (also to {other!r})"
                    )
                by_rank[r] = j
            for r in range(1, len(by_rank) + 1):
                if r not in by_rank:
                    later = min(k for k in by_rank if k > r)
                    raise FormatError(
                        lineno, names[by_rank[later]], f"skipped rank: preference {r} is missing"
                    )
            rows.append([by_rank[r] for r in range(1, len(by_rank) + 1)])
            weights.append(w)
    except csv.Error as e:
        raise FormatError(reader.line_num, 1, f"not valid CSV: {e}") from None
    return _set([Candidate(j + 1, nm) for j, nm in enumerate(names)], rows, weights, seats, "")


def write_csv(ballots: BallotSet) -> str:
    """Collegium CSV for ``ballots``: ``weight`` then one column per candidate."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["weight", *(c.name for c in ballots.candidates)])
    n = len(ballots.candidates)
    for row, weight in zip(ballots.rankings.tolist(), ballots.weights.tolist(), strict=True):
        cells = [""] * n
        for r, c in enumerate(x for x in row if x >= 0):
            cells[c] = str(r + 1)
        w.writerow([weight, *cells])
    return out.getvalue()


# ---------------------------------------------------------------------------- files


def detect_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise ValueError(f"unknown file type {suffix!r}: expected one of {', '.join(FORMATS)}")


def read_ballots(
    path: str | Path, *, format: str | None = None, seats: int | None = None
) -> BallotSet:
    """Read a ballot file by its extension (or ``format``).

    ``seats`` overrides the number of seats a BLT file gives and supplies it for formats
    that have none. Raises :class:`FormatError` (``.file`` set to ``path``) or ``OSError``.
    """
    kind = format or detect_format(path)
    data = Path(path).read_bytes()
    name = str(path)
    if kind == "blt":
        b = read_blt(data, file=name)
        if seats is not None:
            b.seats = seats
        return b
    if kind == "csv":
        return read_csv(data, file=name, seats=seats)
    return read_preflib(data, kind, file=name, seats=seats)
