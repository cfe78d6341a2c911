"""Canonical JSON (RFC 8785 without floats): known outputs, refusals, round trips."""

from __future__ import annotations

import contextlib
import enum
import json
import sys
from random import Random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collegium.ledger.canonical import (
    CanonicalJsonError,
    JsonValue,
    canonical_json,
    parse_canonical,
)

# ------------------------------------------------------------------ published test data
# cyberphone/json-canonicalization (the RFC 8785 authors' reference implementation),
# README sample and testdata/{input,output}/weird.json and structures.json. The samples'
# floats are left out or written as integers, since entries hold no floats.

ESCAPING_INPUT = r"""{
  "escaping": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "other":  [null, true, false]
}"""
ESCAPING_OUTPUT = r"""{"escaping":"€$\u000f\nA'B\"\\\\\"/","other":[null,true,false]}"""

WEIRD_INPUT = r"""{
  "\u20ac": "Euro Sign",
  "1": "One",
  "\u0080": "Control\u007f",
  "\ud83d\ude02": "Smiley",
  "\u00f6": "Latin Small Letter O With Diaeresis",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "</script>": "Browser Challenge"
}
"""
# Sorted by UTF-16 code units: the smiley (surrogates D83D DE02) comes before U+FB33,
# although its code point U+1F602 is larger.
WEIRD_OUTPUT = (
    '{"1":"One","</script>":"Browser Challenge","\u0080":"Control\u007f",'
    '"\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign",'
    '"\U0001f602":"Smiley","\ufb33":"Hebrew Letter Dalet With Dagesh"}'
)

STRUCTURES_INPUT = """{
  "1": {"f": {"f": "hi","F": 5} ,"\\n": 56},
  "10": { },
  "": "empty",
  "a": { },
  "111": [ { } ],
  "A": { }
}"""
STRUCTURES_OUTPUT = (
    r"""{"":"empty","1":{"\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{}],"A":{},"a":{}}"""
)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (ESCAPING_INPUT, ESCAPING_OUTPUT),
        (WEIRD_INPUT, WEIRD_OUTPUT),
        (STRUCTURES_INPUT, STRUCTURES_OUTPUT),
    ],
    ids=["escaping", "weird", "structures"],
)
def test_published_examples(source: str, expected: str) -> None:
    value = json.loads(source)
    assert canonical_json(value) == expected.encode("utf-8")
    assert parse_canonical(expected.encode("utf-8")) == value
    with pytest.raises(CanonicalJsonError):
        parse_canonical(source.encode("utf-8"))


def test_scalars() -> None:
    assert canonical_json(None) == b"null"
    assert canonical_json(True) == b"true"
    assert canonical_json(False) == b"false"
    assert canonical_json(0) == b"0"
    assert canonical_json(-17) == b"-17"
    assert canonical_json([1, True, 0, False]) == b"[1,true,0,false]"
    assert canonical_json("") == b'""'
    assert canonical_json({}) == b"{}"
    assert canonical_json([]) == b"[]"


def test_control_characters_and_non_ascii() -> None:
    assert canonical_json("\b\t\n\f\r") == rb'"\b\t\n\f\r"'
    assert canonical_json("\x00\x1f\x7f") == b'"\\u0000\\u001f\x7f"'
    assert canonical_json("\u2028é😀") == '"\u2028é😀"'.encode()
    assert canonical_json('"\\/') == rb'"\"\\/"'


def test_subclasses_write_as_their_base_type() -> None:
    class Colour(enum.IntEnum):
        RED = 7

    class Name(str):
        __slots__ = ()

        def __str__(self) -> str:
            return "not this"

    assert canonical_json([Colour.RED, Name("x")]) == b'[7,"x"]'


def test_integers_of_any_size_round_trip() -> None:
    limit = sys.get_int_max_str_digits()  # Python's own guard (4300 digits by default)
    for digits in (limit - 1, limit + 1, 3 * limit, 25_000):
        number = 10**digits - 12_345
        for value in (number, -number):
            data = canonical_json(value)
            assert parse_canonical(data) == value
            assert parse_canonical(b'{"n":[' + data + b"]}") == {"n": [value]}
            sys.set_int_max_str_digits(0)
            try:
                assert data == str(value).encode()
            finally:
                sys.set_int_max_str_digits(limit)
    assert canonical_json(10**5000 + 1) == b"1" + b"0" * 4999 + b"1"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (1.5, "floating-point"),
        (1.0, "floating-point"),
        (float("nan"), "floating-point"),
        (float("inf"), "floating-point"),
        ({"a": [0.25]}, "floating-point"),
        ({1: "x"}, "not a string"),
        ({("a",): "x"}, "not a string"),
        ((1, 2), "tuple"),
        ({1, 2}, "set"),
        (b"bytes", "bytes"),
        (object(), "object"),
        ("\ud800", "lone surrogate"),
        ({"\udc00": 1}, "lone surrogate"),
    ],
)
def test_refused_values(value: object, words: str) -> None:
    with pytest.raises(CanonicalJsonError, match=words):
        canonical_json(value)  # type: ignore[arg-type]


def test_circular_and_deep_values_are_refused() -> None:
    circular: list[object] = []
    circular.append(circular)
    with pytest.raises(CanonicalJsonError, match="too deeply or contains itself"):
        canonical_json(circular)  # type: ignore[arg-type]
    deep: JsonValue = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(CanonicalJsonError, match="too deeply"):
        canonical_json(deep)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b'{"b":1,"a":2}', "at byte 2"),
        (b'{"a": 1}', "at byte 5"),
        (b' {"a":1}', "at byte 0"),
        (b'{"a":1}\n', "at byte 7"),
        (b'{"a":1,"a":1}', "'a' appears twice"),
        (b'{"a":{"b":1,"b":2}}', "'b' appears twice"),
        (b'"\\u0041"', "differs"),
        (b'"\\/"', "differs"),
        (b'"\\u00e9"', "differs"),
        (b'"\\u001F"', "differs"),
        (b'"\\ud800"', "lone surrogate"),
        (b"-0", "differs"),
        (b"1.0", "not an integer"),
        (b"1e5", "not an integer"),
        (b"[1E30]", "not an integer"),
        (b"NaN", "NaN is not JSON"),
        (b"-Infinity", "is not JSON"),
        (b"01", "not JSON"),
        (b"", "not JSON"),
        (b"{'a':1}", "not JSON"),
        (b"\xef\xbb\xbf{}", "not JSON"),
        (b'"\xff"', "not UTF-8"),
        (b'"\xed\xa0\x80"', "not UTF-8"),
        ("{}".encode("utf-16"), "not UTF-8"),
        (b"[" * 200_000 + b"]" * 200_000, "nested too deeply"),
        ('{"é": 1}'.encode(), "at byte 6"),
        ('{"é":1,"a":2}'.encode(), "differs"),
    ],
)
def test_not_canonical(data: bytes, words: str) -> None:
    with pytest.raises(CanonicalJsonError, match=words):
        parse_canonical(data)


def test_parse_accepts_bytes_like_but_not_text() -> None:
    assert parse_canonical(bytearray(b'{"a":[1,"x"]}')) == {"a": [1, "x"]}
    assert parse_canonical(memoryview(b"null")) is None
    with pytest.raises(CanonicalJsonError, match="expected bytes, got str"):
        parse_canonical('{"a":1}')  # type: ignore[arg-type]


def test_non_ascii_canonical_text_is_accepted() -> None:
    data = canonical_json({"€": "é", "a": ["😀", "\u2028"]})
    assert data == '{"a":["😀","\u2028"],"€":"é"}'.encode()
    assert parse_canonical(data) == {"€": "é", "a": ["😀", "\u2028"]}


# ---------------------------------------------------------------------------- properties

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=25,
)


def utf16_sorted(names: list[str]) -> list[str]:
    """Reference order: compare lists of UTF-16 code units."""

    def units(name: str) -> list[int]:
        raw = name.encode("utf-16-be")
        return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]

    return sorted(names, key=units)


@given(json_values)
def test_round_trip(value: JsonValue) -> None:
    data = canonical_json(value)
    assert parse_canonical(data) == value
    assert canonical_json(parse_canonical(data)) == data
    # the same bytes as json's own writer, apart from member order
    assert json.loads(data) == value


@given(st.dictionaries(st.text(max_size=4), st.integers(), min_size=1, max_size=8))
def test_members_sorted_by_utf16_code_units(value: dict[str, JsonValue]) -> None:
    parsed = json.loads(canonical_json(value), object_pairs_hook=lambda pairs: pairs)
    assert [name for name, _ in parsed] == utf16_sorted(list(value))


@given(
    json_values,
    st.sampled_from([None, 0, 1, 2]),
    st.sampled_from([(",", ":"), (", ", ": "), (",", ": ")]),
    st.booleans(),
    st.booleans(),
)
def test_other_spellings_are_rejected(
    value: JsonValue,
    indent: int | None,
    separators: tuple[str, str],
    ensure_ascii: bool,
    sort_keys: bool,
) -> None:
    canonical = canonical_json(value)
    variant = json.dumps(
        value,
        indent=indent,
        separators=separators,
        ensure_ascii=ensure_ascii,
        sort_keys=sort_keys,
    ).encode("utf-8")
    if variant == canonical:
        assert parse_canonical(variant) == value
    else:
        with pytest.raises(CanonicalJsonError):
            parse_canonical(variant)


@settings(max_examples=200)
@given(st.dictionaries(st.text(max_size=4), json_values, min_size=2, max_size=6), st.randoms())
def test_any_other_member_order_is_rejected(value: dict[str, JsonValue], random: Random) -> None:
    names = list(value)
    random.shuffle(names)
    shuffled = (
        "{"
        + ",".join(
            json.dumps(name, ensure_ascii=False) + ":" + canonical_json(value[name]).decode()
            for name in names
        )
        + "}"
    )
    data = shuffled.encode()
    if names == utf16_sorted(list(value)):
        assert data == canonical_json(value)
        assert parse_canonical(data) == value
    else:
        with pytest.raises(CanonicalJsonError, match="differs"):
            parse_canonical(data)


@given(json_values, st.data())
def test_inserted_whitespace_is_rejected(value: JsonValue, data: st.DataObject) -> None:
    canonical = canonical_json(value)
    position = data.draw(st.integers(min_value=0, max_value=len(canonical)))
    blank = data.draw(st.sampled_from([b" ", b"\n", b"\t", b"\r"]))
    spaced = canonical[:position] + blank + canonical[position:]
    if blank == b" " and _inside_string(canonical, position):
        # A space inside a string makes a different, equally canonical, value (or breaks
        # an escape sequence); either way it is not read as the original value.
        with contextlib.suppress(CanonicalJsonError):
            assert parse_canonical(spaced) != value
    else:
        with pytest.raises(CanonicalJsonError):
            parse_canonical(spaced)


def _inside_string(data: bytes, position: int) -> bool:
    inside = escaped = False
    for byte in data[:position]:
        if escaped:
            escaped = False
        elif byte == 0x5C and inside:
            escaped = True
        elif byte == 0x22:
            inside = not inside
    return inside
