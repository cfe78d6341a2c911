"""Canonical JSON for record entries (RFC 8785, JSON Canonicalization Scheme, without floats).

Every record entry is stored as the UTF-8 bytes of its canonical JSON text, and its leaf
hash is taken over exactly those bytes, so one value has one and only one stored form:

* objects: members sorted by their names compared as sequences of UTF-16 code units
  (RFC 8785 §3.2.3), no duplicate names;
* no insignificant whitespace;
* strings escaped as RFC 8785 §3.2.2.2 says: ``\\"`` and ``\\\\``, the short forms
  ``\\b \\t \\n \\f \\r``, ``\\u00xx`` (lower-case hex) for the other control characters,
  everything else (non-ASCII included) written as itself in UTF-8;
* integers in plain decimal.

Two deliberate restrictions against full RFC 8785: entries hold **no floating-point
numbers** (decimals travel as strings, see ``shared/INTERFACES.md``), so ``float``, NaN and
infinities are refused; and integers are written exactly whatever their size (RFC 8785
would round integers beyond ±2**53 through an IEEE double; we never produce such a
rounding, so an entry means exactly what it says). Strings must be valid Unicode: a lone
surrogate is refused.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import TypeAlias

__all__ = ["CanonicalJsonError", "JsonValue", "canonical_json", "parse_canonical"]

JsonValue: TypeAlias = "bool | int | str | list[JsonValue] | dict[str, JsonValue] | None"
"""A JSON value that a record entry may hold (no floats)."""


class CanonicalJsonError(ValueError):
    """A value cannot be written as canonical JSON, or bytes are not canonical JSON."""


# --------------------------------------------------------------------------------- integers
# Python refuses to convert integers of more than ``sys.get_int_max_str_digits()`` digits
# (4300 by default) to and from text, a guard against quadratic work on untrusted input.
# Entries are ours and "ints of any size" is the contract, so we convert by halves.

_CHUNK = 1000  # decimal digits converted at once, well under the interpreter's limit
_BIG = 10**_CHUNK


def _int_text(number: int) -> str:
    try:
        return int.__repr__(number)
    except ValueError:
        return _big_int_text(number)


def _big_int_text(number: int) -> str:
    if number < 0:
        return "-" + _big_int_text(-number)
    if number < _BIG:
        return int.__repr__(number)
    # Split at a power of ten with about half the digits (at least _CHUNK, so both halves
    # are non-empty and the high half has no leading zero); pad the low half with zeros.
    split = max(_CHUNK, int(number.bit_length() * 0.30103) // 2)
    high, low = divmod(number, 10**split)
    return _big_int_text(high) + _big_int_text(low).rjust(split, "0")


def _parse_int(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        return _big_int_parse(text)


def _big_int_parse(text: str) -> int:
    if text.startswith("-"):
        return -_big_int_parse(text[1:])
    if len(text) <= _CHUNK:
        return int(text)
    half = len(text) // 2
    scale: int = 10 ** (len(text) - half)
    return _big_int_parse(text[:half]) * scale + _big_int_parse(text[half:])


# ---------------------------------------------------------------------------------- writing


def _utf16_key(name: str) -> bytes:
    # Big-endian UTF-16 compares byte by byte exactly as its code units compare.
    return name.encode("utf-16-be", "surrogatepass")


def _encode(value: object, out: list[str]) -> None:
    # bool before int: True and False are ints in Python.
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(encode_basestring(value))
    elif isinstance(value, int):
        out.append(_int_text(value))
    elif isinstance(value, float):
        raise CanonicalJsonError(
            f"floating-point number {value!r} cannot be stored: record entries hold integers,"
            " or decimals written as strings"
        )
    elif isinstance(value, list):
        out.append("[")
        for position, item in enumerate(value):
            if position:
                out.append(",")
            _encode(item, out)
        out.append("]")
    elif isinstance(value, dict):
        for name in value:
            if not isinstance(name, str):
                raise CanonicalJsonError(
                    f"object member name {name!r} is a {type(name).__name__}, not a string"
                )
        out.append("{")
        for position, name in enumerate(sorted(value, key=_utf16_key)):
            if position:
                out.append(",")
            out.append(encode_basestring(name))
            out.append(":")
            _encode(value[name], out)
        out.append("}")
    else:
        raise CanonicalJsonError(
            f"a {type(value).__name__} cannot be stored in a record entry"
            " (only None, bool, int, str, list and dict with string keys)"
        )


def canonical_json(value: JsonValue) -> bytes:
    """Return the canonical JSON text of ``value`` as UTF-8 bytes.

    Raises :class:`CanonicalJsonError` for floats (NaN and infinities included), object
    names that are not strings, types other than None/bool/int/str/list/dict, lone
    surrogates in strings, and structures nested too deeply or containing themselves.
    """
    out: list[str] = []
    try:
        _encode(value, out)
    except RecursionError:
        raise CanonicalJsonError("value is nested too deeply or contains itself") from None
    text = "".join(out)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalJsonError(
            f"string contains a lone surrogate (U+{ord(text[exc.start]):04X}), which is not"
            " valid Unicode"
        ) from None


# ---------------------------------------------------------------------------------- reading


def _refuse_float(text: str) -> float:
    raise CanonicalJsonError(f"number {text} is not an integer: entries hold no floats")


def _refuse_constant(text: str) -> float:
    raise CanonicalJsonError(f"{text} is not JSON")


_DECODER = json.JSONDecoder(
    parse_float=_refuse_float, parse_int=_parse_int, parse_constant=_refuse_constant
)
# json's own writer, used only where it provably gives the canonical form (see below).
_ASCII_WRITER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _decode(text: str) -> JsonValue:
    value: JsonValue = _DECODER.decode(text)
    return value


def _first_duplicate(text: str) -> str | None:
    """Name of the first member repeated within one object of ``text``, if any."""
    found: list[str] = []

    def pairs(items: list[tuple[str, JsonValue]]) -> dict[str, JsonValue]:
        seen: set[str] = set()
        for name, _ in items:
            if name in seen and not found:
                found.append(name)
            seen.add(name)
        return dict(items)

    json.loads(text, object_pairs_hook=pairs, parse_int=_parse_int, parse_float=_refuse_float)
    return found[0] if found else None


def _explain(data: bytes, canonical: bytes, text: str) -> str:
    duplicate = _first_duplicate(text)
    if duplicate is not None:
        return f"object member {duplicate!r} appears twice"
    at = next(
        (i for i, (a, b) in enumerate(zip(data, canonical, strict=False)) if a != b),
        min(len(data), len(canonical)),
    )
    found = data[at : at + 12]
    expected = canonical[at : at + 12]
    return (
        f"differs from its canonical form at byte {at}: found {found!r}, expected"
        f" {expected!r} (member order, whitespace, escapes and number form are all fixed)"
    )


def parse_canonical(data: bytes | bytearray | memoryview) -> JsonValue:
    """Parse canonical JSON bytes, refusing anything that is not exactly canonical.

    The bytes must be UTF-8 JSON without floats, and re-encoding the parsed value with
    :func:`canonical_json` must give the very same bytes: so stored entry text that was
    reformatted, reordered, re-escaped or padded is caught, with the place it differs.
    Raises :class:`CanonicalJsonError`. ``bytearray`` and ``memoryview`` are accepted.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise CanonicalJsonError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CanonicalJsonError(f"not UTF-8 (byte {exc.start}: {exc.reason})") from None
    try:
        value = _decode(text)
    except json.JSONDecodeError as exc:
        raise CanonicalJsonError(f"not JSON: {exc}") from None
    except RecursionError:
        raise CanonicalJsonError("JSON is nested too deeply") from None
    if text.isascii():
        # Fast path. json's writer escapes exactly as RFC 8785 does and writes non-ASCII
        # as itself; so if it gives back this ASCII text, every string in the value is
        # ASCII, where code-point order (sort_keys) is UTF-16 order, and the text is
        # canonical. Anything else is decided by the exact path below.
        try:
            again = _ASCII_WRITER.encode(value)
        except ValueError:  # an integer too long for the interpreter's own conversion
            again = None
        if again == text:
            return value
    canonical = canonical_json(value)
    if canonical != data:
        raise CanonicalJsonError(_explain(data, canonical, text))
    return value
