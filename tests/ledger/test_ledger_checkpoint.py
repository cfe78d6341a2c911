"""Signed notes, checkpoints and signing keys: interoperability vectors and every refusal."""

from __future__ import annotations

import base64
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given
from hypothesis import strategies as st

from collegium.ledger.checkpoint import (
    MAX_SIGNATURES,
    Checkpoint,
    CheckpointError,
    SigningKeyError,
    VerifierKey,
    generate_signing_key,
    key_id,
    load_or_create_key,
    open_checkpoint,
    open_note,
    parse_verifier_key,
    sign_checkpoint,
    sign_note,
    verifier_key,
)
from collegium.ledger.merkle import EMPTY_ROOT, leaf_hash

# ----------------------------------------------------------------- interoperability vectors
# golang.org/x/mod/sumdb/note (note.go documentation and note_test.go): the reference
# implementation of signed notes. Ed25519 is deterministic, so signing the same text with
# the same key must give the very same note.

PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_LINE = (
    "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngo"
    "tpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_LINE = (
    "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnW"
    "Lox33WWd1RvMc+QQ=\n"
)
GO_NOTE = GO_TEXT + "\n" + PETER_LINE
# The example of the C2SP signed-note specification.
EXAMPLE_VKEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
EXAMPLE_NOTE = (
    "This is an example message.\n\n— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2"
    "ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)


def peter_key() -> Ed25519PrivateKey:
    seed = base64.b64decode(PETER_SKEY.split("+", 4)[4])
    assert seed[0] == 1
    return Ed25519PrivateKey.from_private_bytes(seed[1:])


def test_go_reference_note_signs_and_opens_byte_for_byte() -> None:
    key = peter_key()
    assert verifier_key("PeterNeumann", key.public_key()) == PETER_VKEY
    assert sign_note(GO_TEXT, "PeterNeumann", key) == GO_NOTE
    assert open_note(GO_NOTE, PETER_VKEY) == GO_TEXT
    assert open_note(GO_NOTE.encode(), [PETER_VKEY]) == GO_TEXT


def flip_signature_bit(line: str) -> str:
    """The same signature line (same key name and id) with one bit of the signature flipped."""
    name, encoded = line.removeprefix("— ").rstrip("\n").split(" ")
    blob = bytearray(base64.b64decode(encoded))
    blob[-1] ^= 1
    return f"— {name} {base64.b64encode(bytes(blob)).decode()}\n"


def test_doubly_signed_go_note() -> None:
    note = GO_NOTE + ENOCH_LINE
    assert open_note(note, PETER_VKEY) == GO_TEXT
    assert open_note(note, ENOCH_VKEY) == GO_TEXT
    assert open_note(note, [ENOCH_VKEY, PETER_VKEY]) == GO_TEXT
    # one of two trusted signatures broken: the note is refused
    broken = GO_NOTE + flip_signature_bit(ENOCH_LINE)
    with pytest.raises(CheckpointError, match=r"signature by EnochRoot\+af0cfe78 does not verify"):
        open_note(broken, [ENOCH_VKEY, PETER_VKEY])
    # but an unknown key's signature is ignored, broken or not
    assert open_note(broken, PETER_VKEY) == GO_TEXT


def test_c2sp_example_note() -> None:
    assert open_note(EXAMPLE_NOTE, EXAMPLE_VKEY) == "This is an example message.\n"
    parsed = parse_verifier_key(EXAMPLE_VKEY)
    assert parsed.name == "example.com/foo" and parsed.key_id == bytes.fromhex("530d903a")
    assert str(parsed) == EXAMPLE_VKEY and parsed.label() == "example.com/foo+530d903a"
    assert key_id("example.com/foo", parsed.public_key) == parsed.key_id


def test_c2sp_checkpoint_format() -> None:
    key = generate_signing_key()
    head = Checkpoint(origin="example.com/behind-the-sofa", size=20852163, root=EMPTY_ROOT)
    assert head.body() == (
        "example.com/behind-the-sofa\n20852163\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
    )
    note = sign_checkpoint(head, "example.com/behind-the-sofa", key)
    body, signature = note.split("\n\n")
    assert body + "\n" == head.body()
    name, blob = signature.removeprefix("— ").rstrip("\n").split(" ")
    raw = base64.b64decode(blob)
    assert name == "example.com/behind-the-sofa" and len(raw) == 4 + 64
    assert raw[:4] == key_id(name, key.public_key())
    key.public_key().verify(raw[4:], head.body().encode())
    vkey = verifier_key(name, key.public_key())
    assert open_checkpoint(note, vkey, "example.com/behind-the-sofa") == head
    assert open_checkpoint(note, parse_verifier_key(vkey)) == head


# --------------------------------------------------------------------------- checkpoints

ORIGIN = "collegium.example/federation"


@pytest.fixture
def signer() -> tuple[Ed25519PrivateKey, str]:
    key = generate_signing_key()
    return key, verifier_key(ORIGIN, key.public_key())


def test_round_trip_and_wrong_origin(signer: tuple[Ed25519PrivateKey, str]) -> None:
    key, vkey = signer
    head = Checkpoint(ORIGIN, 42, leaf_hash(b"x"))
    note = sign_checkpoint(head, ORIGIN, key)
    assert open_checkpoint(note, vkey, ORIGIN) == head
    assert open_checkpoint(note, [vkey]) == head
    with pytest.raises(CheckpointError) as caught:
        open_checkpoint(note, vkey, expected_origin="collegium.example/other")
    assert str(caught.value) == (
        "the checkpoint is for 'collegium.example/federation', not"
        " 'collegium.example/other': it is another federation's record"
    )


def test_tampered_checkpoint_does_not_verify(signer: tuple[Ed25519PrivateKey, str]) -> None:
    key, vkey = signer
    note = sign_checkpoint(Checkpoint(ORIGIN, 42, leaf_hash(b"x")), ORIGIN, key)
    for tampered in (
        note.replace("\n42\n", "\n43\n"),
        note.replace(ORIGIN + "\n", "collegium.example/federatioN\n", 1),
        note.replace(
            base64.b64encode(leaf_hash(b"x")).decode(), base64.b64encode(EMPTY_ROOT).decode()
        ),
    ):
        assert tampered != note
        with pytest.raises(CheckpointError, match="does not verify: the note was altered"):
            open_checkpoint(tampered, vkey, ORIGIN)


def test_checkpoint_signed_by_another_key(signer: tuple[Ed25519PrivateKey, str]) -> None:
    _, vkey = signer
    intruder = generate_signing_key()
    note = sign_checkpoint(Checkpoint(ORIGIN, 1, EMPTY_ROOT), ORIGIN, intruder)
    with pytest.raises(CheckpointError) as caught:
        open_checkpoint(note, vkey, ORIGIN)
    message = str(caught.value)
    ours, theirs = parse_verifier_key(vkey), key_id(ORIGIN, intruder.public_key()).hex()
    assert message == (
        f"the note is not signed by a trusted key: it is signed by {ORIGIN}+{theirs};"
        f" trusted: {ours.label()}"
    )
    # another log's checkpoint, signed by its own key under its own name
    other = sign_checkpoint(
        Checkpoint("other.example/log", 1, EMPTY_ROOT), "other.example/log", intruder
    )
    with pytest.raises(CheckpointError, match="not signed by a trusted key"):
        open_checkpoint(other, vkey, ORIGIN)


def test_extension_lines_and_repeated_signatures(signer: tuple[Ed25519PrivateKey, str]) -> None:
    key, vkey = signer
    body = Checkpoint(ORIGIN, 7, EMPTY_ROOT).body() + "extension one\nextension two\n"
    note = sign_note(body, ORIGIN, key)
    assert open_checkpoint(note, vkey) == Checkpoint(ORIGIN, 7, EMPTY_ROOT)
    signature_line = note.split("\n\n")[1]
    assert open_checkpoint(note + signature_line, vkey).size == 7
    # As Go's note.Open: the first signature line of a trusted key decides; a later line
    # of the same key is not checked again.
    broken_line = flip_signature_bit(signature_line)
    assert open_checkpoint(note + broken_line, vkey).size == 7
    with pytest.raises(CheckpointError, match="does not verify"):
        open_checkpoint(body + "\n" + broken_line + signature_line, vkey)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ("origin\n1\n", "needs an origin, a tree size and a root hash"),
        ("origin\n1\nroot", "must end with a newline"),
        ("\n1\n" + base64.b64encode(EMPTY_ROOT).decode() + "\n", "origin line is empty"),
        ("o\n01\n" + base64.b64encode(EMPTY_ROOT).decode() + "\n", "'01' is not a decimal"),
        ("o\n-1\n" + base64.b64encode(EMPTY_ROOT).decode() + "\n", "'-1' is not a decimal"),
        ("o\n١\n" + base64.b64encode(EMPTY_ROOT).decode() + "\n", "is not a decimal"),
        ("o\n" + "9" * 21 + "\n" + base64.b64encode(EMPTY_ROOT).decode() + "\n", "not a decimal"),
        (
            "o\n1\n" + base64.b64encode(EMPTY_ROOT[:31]).decode() + "\n",
            "not the base64 of 32 bytes",
        ),
        ("o\n1\n" + EMPTY_ROOT.hex() + "\n", "not the base64 of 32 bytes"),
        ("o\n1\nnot base64!\n", "not the base64 of 32 bytes"),
        ("o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFé=\n", "not the base64 of 32 bytes"),
        ("o\n1\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n", "not the base64 of 32 bytes"),
        ("o\n1\n" + base64.b64encode(EMPTY_ROOT).decode() + "\nx\n\ny\n", "an empty line"),
    ],
)
def test_malformed_checkpoint_bodies(
    signer: tuple[Ed25519PrivateKey, str], body: str, words: str
) -> None:
    with pytest.raises(CheckpointError, match=words):
        Checkpoint.from_body(body)
    if body.endswith("\n") and "\n\n" not in body:
        key, vkey = signer
        with pytest.raises(CheckpointError, match=words):
            open_checkpoint(sign_note(body, ORIGIN, key), vkey)


@pytest.mark.parametrize(
    ("origin", "size", "root", "words"),
    [
        ("", 1, EMPTY_ROOT, "invalid origin"),
        ("a\nb", 1, EMPTY_ROOT, "invalid origin"),
        ("a\rb", 1, EMPTY_ROOT, r"contains U\+000D"),
        (None, 1, EMPTY_ROOT, "invalid origin"),
        ("o", -1, EMPTY_ROOT, "invalid tree size"),
        ("o", True, EMPTY_ROOT, "invalid tree size"),
        ("o", "1", EMPTY_ROOT, "invalid tree size"),
        ("o", 1, EMPTY_ROOT[:31], "32 bytes"),
        ("o", 1, EMPTY_ROOT.hex(), "32 bytes"),
    ],
)
def test_invalid_checkpoints(origin: object, size: object, root: object, words: str) -> None:
    with pytest.raises(CheckpointError, match=words):
        Checkpoint(origin, size, root)  # type: ignore[arg-type]


@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1
    ).filter(lambda s: "+" not in s and not any(c.isspace() for c in s)),
    st.integers(min_value=0, max_value=2**64),
    st.binary(min_size=32, max_size=32),
)
def test_checkpoint_body_round_trip(origin: str, size: int, root: bytes) -> None:
    head = Checkpoint(origin, size, root)
    assert Checkpoint.from_body(head.body()) == head


# ---------------------------------------------------------------------------------- notes


@pytest.mark.parametrize(
    ("note", "words"),
    [
        (GO_TEXT + PETER_LINE, "malformed note: no blank line"),
        (GO_NOTE.rstrip("\n"), "signatures must end with a newline"),
        (GO_TEXT + "\n", "signatures must end with a newline"),
        (GO_NOTE.replace("\n", "\r\n"), r"control character U\+000D"),
        (GO_NOTE.replace("answer", "answer\t"), r"control character U\+0009"),
        (GO_NOTE.replace("— ", "-- "), "is not a signature line"),
        (GO_NOTE.replace("— ", "—"), "is not a signature line"),
        (GO_NOTE + "\n", "signatures must end with a newline"),
        (GO_NOTE + "junk\n", "is not a signature line"),
        (GO_NOTE.replace("x08go/", "x08go!"), "bad signature line"),
        (GO_NOTE.replace("PeterNeumann ", "Peter+Neumann "), "bad signature line"),
        (GO_NOTE.replace("PeterNeumann x08go", "PeterNeumann  x08go"), "bad signature line"),
        (GO_TEXT + "\n— PeterNeumann x08=\n", "bad signature line"),
        (GO_TEXT + "\n— PeterNeumann\n", "bad signature line"),
        (GO_NOTE.replace("x08go/", "x08gé/"), "bad signature line"),
        (GO_NOTE.encode("utf-16"), "not UTF-8"),
        (GO_TEXT + "\n" + PETER_LINE * (MAX_SIGNATURES + 1), "more than 100 signatures"),
        (42, "expected text, got int"),
    ],
)
def test_malformed_notes(note: object, words: str) -> None:
    with pytest.raises(CheckpointError, match=words):
        open_note(note, PETER_VKEY)  # type: ignore[arg-type]


def test_note_with_many_signatures_up_to_the_limit() -> None:
    others = [
        sign_note(GO_TEXT, f"witness{i}.example", generate_signing_key()).split("\n\n")[1]
        for i in range(MAX_SIGNATURES - 1)
    ]
    assert open_note(GO_NOTE + "".join(others), PETER_VKEY) == GO_TEXT


def test_note_text_may_contain_blank_lines() -> None:
    key = peter_key()
    text = "first\n\nthird\n\n"
    note = sign_note(text, "PeterNeumann", key)
    assert open_note(note, PETER_VKEY) == text


def test_trusted_key_list_problems() -> None:
    with pytest.raises(CheckpointError, match="no trusted verifier key"):
        open_note(GO_NOTE, [])
    real = parse_verifier_key(PETER_VKEY)
    impostor = VerifierKey(real.name, real.key_id, generate_signing_key().public_key())
    with pytest.raises(
        CheckpointError, match=r"two different trusted keys .* PeterNeumann\+c74f20a3"
    ):
        open_note(GO_NOTE, [real, impostor])
    # the same key twice is fine
    assert open_note(GO_NOTE, [real, PETER_VKEY]) == GO_TEXT
    # same name, other key (so other key id): not trusted, ignored
    stranger = verifier_key("PeterNeumann", generate_signing_key().public_key())
    with pytest.raises(CheckpointError, match="not signed by a trusted key"):
        open_note(GO_NOTE, stranger)


@pytest.mark.parametrize(
    ("text", "name", "words"),
    [
        ("no newline", "n", "must end with a newline"),
        ("bell\a\n", "n", r"control character U\+0007"),
        ("ok\n", "", "invalid key name"),
        ("ok\n", "a b", "invalid key name"),
        ("ok\n", "a+b", "invalid key name"),
        ("ok\n", "a\u00a0b", "invalid key name"),
        ("ok\n", "a\x7fb\x01", "invalid key name"),
    ],
)
def test_sign_note_refusals(text: str, name: str, words: str) -> None:
    with pytest.raises(CheckpointError, match=words):
        sign_note(text, name, generate_signing_key())


def test_verifier_key_refuses_bad_names() -> None:
    with pytest.raises(CheckpointError, match="invalid key name"):
        verifier_key("bad name", generate_signing_key().public_key())


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("PeterNeumann+c74f20a3", "expected name\\+keyid\\+base64"),
        ("PeterNeumann", "expected name\\+keyid\\+base64"),
        ("+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "invalid key name"),
        ("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "invalid key name"),
        (
            "PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "8 hexadecimal digits",
        ),
        ("PeterNeumann+c74f20ag+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "8 hexadecimal"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", "0x01 and a 32-byte"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW!", "0x01 and a 32"),
        (
            "PeterNeumann+c74f20a3+AhpcdQcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
            "0x01 and a 32-byte",
        ),
        ("PeterNeumann+c74f20a3+", "0x01 and a 32-byte"),
        ("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10Té", "0x01 and a 32"),
        ("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        ("PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", "does not match"),
        (b"PeterNeumann+c74f20a3+ARpc", "a verifier key is text, not bytes"),
    ],
)
def test_malformed_verifier_keys(text: object, words: str) -> None:
    with pytest.raises(CheckpointError, match=words):
        parse_verifier_key(text)  # type: ignore[arg-type]


def test_verifier_key_tolerates_surrounding_space_and_upper_case_id() -> None:
    assert parse_verifier_key(f"  {PETER_VKEY}\n") == parse_verifier_key(PETER_VKEY)
    upper = PETER_VKEY.replace("c74f20a3", "C74F20A3")
    assert parse_verifier_key(upper).key_id == bytes.fromhex("c74f20a3")


# ------------------------------------------------------------------------------ key files


def public(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes_raw()


def test_key_is_created_once_with_mode_0600(tmp_path: Path) -> None:
    path = tmp_path / "signing.key"
    key = load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public(load_or_create_key(str(path))) == public(key)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["signing.key"]


def test_raw_seed_and_pem_keys_are_read(tmp_path: Path) -> None:
    seed = os.urandom(32)
    raw = tmp_path / "raw.key"
    raw.write_bytes(seed)
    assert public(load_or_create_key(raw)) == public(Ed25519PrivateKey.from_private_bytes(seed))
    pem = tmp_path / "pem.key"
    key = generate_signing_key()
    pem.write_bytes(
        b"\n"
        + key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    assert public(load_or_create_key(pem)) == public(key)


def test_unusable_key_files(tmp_path: Path) -> None:
    other = tmp_path / "ed448.key"
    other.write_bytes(
        Ed448PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(SigningKeyError, match=r"holds a .*Ed448.*, not an Ed25519 key"):
        load_or_create_key(other)
    broken = tmp_path / "broken.key"
    broken.write_bytes(b"-----BEGIN PRIVATE KEY-----\nnonsense\n-----END PRIVATE KEY-----\n")
    with pytest.raises(SigningKeyError, match="not a readable PEM private key"):
        load_or_create_key(broken)
    encrypted = tmp_path / "encrypted.key"
    encrypted.write_bytes(
        generate_signing_key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    with pytest.raises(SigningKeyError, match="not a readable PEM private key"):
        load_or_create_key(encrypted)
    short = tmp_path / "short.key"
    short.write_bytes(b"x" * 33)
    with pytest.raises(SigningKeyError, match="found 33 bytes"):
        load_or_create_key(short)
    with pytest.raises(SigningKeyError, match="cannot read the signing key"):
        load_or_create_key(tmp_path)  # a directory
    with pytest.raises(SigningKeyError, match="cannot create the signing key"):
        load_or_create_key(tmp_path / "missing" / "signing.key")


def test_a_key_made_meanwhile_by_another_process_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "signing.key"
    theirs = generate_signing_key()
    real_link = os.link

    def link_after_them(source: str, target: Path) -> None:
        target.write_bytes(theirs.private_bytes_raw())
        real_link(source, target)

    monkeypatch.setattr(os, "link", link_after_them)
    assert public(load_or_create_key(path)) == public(theirs)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["signing.key"]


def test_file_systems_without_hard_links(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(source: str, target: Path) -> None:
        raise PermissionError("hard links not supported")

    monkeypatch.setattr(os, "link", no_links)
    path = tmp_path / "signing.key"
    key = load_or_create_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert public(load_or_create_key(path)) == public(key)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["signing.key"]

    # and the race there: the exclusive create finds their key
    second = tmp_path / "second.key"
    theirs = generate_signing_key()
    real_open = os.open

    def open_after_them(target: object, flags: int, mode: int = 0o777) -> int:
        if target == second and flags & os.O_EXCL:
            second.write_bytes(theirs.private_bytes_raw())
        return real_open(target, flags, mode)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", open_after_them)
    assert public(load_or_create_key(second)) == public(theirs)
