"""Signed checkpoints: C2SP tlog-checkpoint bodies in C2SP signed notes, signed with Ed25519.

A checkpoint commits to the record at one size::

    collegium.example/federation      <- origin: which log (which federation's record)
    1234                              <- tree size, decimal
    3q2+7w...=                        <- root hash, base64

    — collegium.example/federation AbCd1234...=

The body (three lines) is the note text; the last line is a signature line: an em dash,
the key name, and base64 of the 4-byte key id followed by the Ed25519 signature of the
text. Verifier keys travel as ``name+hex(key id)+base64(0x01 || public key)``, the key id
being the first four bytes of SHA-256(name || "\\n" || 0x01 || public key)
(https://c2sp.org/signed-note, https://c2sp.org/tlog-checkpoint).

Other servers and members keep the checkpoints they have seen. One of them that is larger
than the record, or whose root differs from the record's root at its size, is the only
evidence that the record's tail was cut off or rewritten (see :mod:`collegium.ledger.log`).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "MAX_SIGNATURES",
    "Checkpoint",
    "CheckpointError",
    "SigningKeyError",
    "VerifierKey",
    "generate_signing_key",
    "key_id",
    "load_or_create_key",
    "open_checkpoint",
    "open_note",
    "parse_verifier_key",
    "sign_checkpoint",
    "sign_note",
    "verifier_key",
]

ED25519 = 0x01
"""The signed-note signature type of Ed25519."""

MAX_SIGNATURES = 100
"""Notes with more signature lines are refused (the spec asks to accept at least 16)."""

_SIGNATURE_PREFIX = "\N{EM DASH} "
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")
_KEY_ID = re.compile(r"[0-9a-fA-F]{8}")


class CheckpointError(ValueError):
    """A note or checkpoint is malformed, untrusted, forged or from another log."""


class SigningKeyError(ValueError):
    """The signing key file cannot be read, written or understood."""


def _control_character(text: str) -> str | None:
    found = _CONTROL.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def _check_name(name: object) -> str:
    """A key name: non-empty, no Unicode spaces, no '+', no control characters."""
    if (
        not isinstance(name, str)
        or not name
        or "+" in name
        or any(c.isspace() for c in name)
        or _control_character(name) is not None
    ):
        raise CheckpointError(
            f"invalid key name {name!r}: it must be non-empty, without spaces or '+'"
        )
    return name


# -------------------------------------------------------------------------------- checkpoint


@dataclass(frozen=True)
class Checkpoint:
    """The head of one log at one size: origin, number of entries, Merkle root."""

    origin: str
    size: int
    root: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.origin, str) or not self.origin or "\n" in self.origin:
            raise CheckpointError(f"invalid origin {self.origin!r}: one non-empty line")
        bad = _control_character(self.origin)
        if bad is not None:
            raise CheckpointError(f"invalid origin {self.origin!r}: contains {bad}")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise CheckpointError(f"invalid tree size {self.size!r}")
        if not isinstance(self.root, bytes) or len(self.root) != 32:
            raise CheckpointError("the root hash is 32 bytes")

    def body(self) -> str:
        """The note text: ``"origin\\nsize\\nbase64(root)\\n"``."""
        return f"{self.origin}\n{self.size}\n{base64.b64encode(self.root).decode('ascii')}\n"

    @classmethod
    def from_body(cls, text: str) -> Checkpoint:
        """Parse a checkpoint body (extension lines after the root are allowed, ignored).

        Raises :class:`CheckpointError` saying what is malformed.
        """
        if not text.endswith("\n"):
            raise CheckpointError("malformed checkpoint: the text must end with a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError(
                "malformed checkpoint: it needs an origin, a tree size and a root hash line"
            )
        origin, size_text, root_text, *extensions = lines
        if not origin:
            raise CheckpointError("malformed checkpoint: the origin line is empty")
        if _SIZE.fullmatch(size_text) is None:
            raise CheckpointError(
                f"malformed checkpoint: tree size {size_text!r} is not a decimal number"
                " without leading zeros"
            )
        try:
            root = base64.b64decode(root_text, validate=True)
        except ValueError:  # binascii.Error, or non-ASCII text
            root = b""
        if len(root) != 32 or base64.b64encode(root).decode("ascii") != root_text:
            raise CheckpointError(
                f"malformed checkpoint: root hash {root_text!r} is not the base64 of 32 bytes"
            )
        if any(not line for line in extensions):
            raise CheckpointError("malformed checkpoint: it contains an empty line")
        return cls(origin=origin, size=int(size_text), root=root)


# ------------------------------------------------------------------------------------- keys


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    """The 4-byte signed-note key id: SHA-256(name || "\\n" || 0x01 || public key)[:4]."""
    raw = public_key.public_bytes_raw()
    return hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([ED25519]) + raw).digest()[:4]


@dataclass(frozen=True)
class VerifierKey:
    """A parsed verifier key: who signs (``name``), which key (``key_id``), and the key."""

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey

    def __str__(self) -> str:
        return verifier_key(self.name, self.public_key)

    def label(self) -> str:
        """``name+hex(key id)``, how messages name a key."""
        return f"{self.name}+{self.key_id.hex()}"


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The verifier key text ``name+hex(key id)+base64(0x01 || public key)``."""
    _check_name(name)
    encoded = base64.b64encode(bytes([ED25519]) + public_key.public_bytes_raw()).decode("ascii")
    return f"{name}+{key_id(name, public_key).hex()}+{encoded}"


def parse_verifier_key(text: str) -> VerifierKey:
    """Parse ``name+hex(key id)+base64(0x01 || public key)`` (surrounding space ignored).

    Raises :class:`CheckpointError` for anything malformed, a signature type other than
    Ed25519, or a key id that does not belong to the name and key.
    """
    if not isinstance(text, str):
        raise CheckpointError(f"a verifier key is text, not {type(text).__name__}")
    parts = text.strip().split("+", 2)  # base64 may itself contain '+'
    if len(parts) != 3:
        raise CheckpointError(f"malformed verifier key {text!r}: expected name+keyid+base64(key)")
    name, id_text, key_text = parts
    try:
        _check_name(name)
    except CheckpointError as exc:
        raise CheckpointError(f"malformed verifier key {text!r}: {exc}") from None
    if _KEY_ID.fullmatch(id_text) is None:
        raise CheckpointError(
            f"malformed verifier key {text!r}: the key id is 8 hexadecimal digits"
        )
    try:
        key = base64.b64decode(key_text, validate=True)
    except ValueError:  # binascii.Error, or non-ASCII text
        key = b""
    if len(key) != 33 or key[0] != ED25519:
        raise CheckpointError(
            f"malformed verifier key {text!r}: expected base64 of 0x01 and a 32-byte"
            " Ed25519 public key"
        )
    public_key = Ed25519PublicKey.from_public_bytes(key[1:])
    if key_id(name, public_key) != bytes.fromhex(id_text):
        raise CheckpointError(
            f"malformed verifier key {text!r}: its key id does not match its name and key"
        )
    return VerifierKey(name=name, key_id=bytes.fromhex(id_text), public_key=public_key)


def generate_signing_key() -> Ed25519PrivateKey:
    """A fresh random Ed25519 signing key."""
    return Ed25519PrivateKey.generate()


def _read_key(path: Path, data: bytes) -> Ed25519PrivateKey:
    if len(data) == 32:
        return Ed25519PrivateKey.from_private_bytes(data)
    if data.lstrip().startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise SigningKeyError(f"{path}: not a readable PEM private key ({exc})") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError(f"{path}: holds a {type(key).__name__}, not an Ed25519 key")
        return key
    raise SigningKeyError(
        f"{path}: not an Ed25519 signing key (expected a raw 32-byte seed or a PEM private"
        f" key; found {len(data)} bytes)"
    )


def _create_key(path: Path) -> Ed25519PrivateKey:
    key = generate_signing_key()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Write a private temporary file (mkstemp makes it 0600), then hard-link it into place:
    # the key appears whole or not at all, and a key another process made meanwhile is
    # never replaced (that process may already have signed with it).
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(pem)
            stream.flush()
            os.fsync(stream.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return _read_key(path, path.read_bytes())
        except OSError:
            # No hard links on this file system: create exclusively, still never replace.
            try:
                descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return _read_key(path, path.read_bytes())
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(pem)
                stream.flush()
                os.fsync(stream.fileno())
    finally:
        os.unlink(temporary)
    with contextlib.suppress(OSError):  # make the new name durable where the OS allows it
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)
    return key


def load_or_create_key(path: Path | str) -> Ed25519PrivateKey:
    """Read the signing key at ``path``, creating it (mode 0600) when there is none.

    The file holds a raw 32-byte Ed25519 seed or a PEM private key (PKCS#8, unencrypted);
    new keys are written as PKCS#8 PEM, created atomically (a concurrent creator's key
    wins and is returned). The directory must exist. Raises
    :class:`SigningKeyError` with the path and the reason.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        try:
            return _create_key(path)
        except OSError as exc:
            raise SigningKeyError(f"cannot create the signing key {path}: {exc}") from None
    except OSError as exc:
        raise SigningKeyError(f"cannot read the signing key {path}: {exc}") from None
    return _read_key(path, data)


# ------------------------------------------------------------------------------------ notes


def sign_note(text: str, key_name: str, private_key: Ed25519PrivateKey) -> str:
    """Sign ``text`` (ending in a newline) as a signed note with one signature line."""
    _check_name(key_name)
    if not text.endswith("\n"):
        raise CheckpointError("a note's text must end with a newline")
    bad = _control_character(text)
    if bad is not None:
        raise CheckpointError(f"a note's text may not contain the control character {bad}")
    signature = private_key.sign(text.encode("utf-8"))
    blob = key_id(key_name, private_key.public_key()) + signature
    encoded = base64.b64encode(blob).decode("ascii")
    return f"{text}\n{_SIGNATURE_PREFIX}{key_name} {encoded}\n"


def _verifiers(verifier: str | VerifierKey | Iterable[str | VerifierKey]) -> list[VerifierKey]:
    items = [verifier] if isinstance(verifier, str | VerifierKey) else list(verifier)
    keys = [item if isinstance(item, VerifierKey) else parse_verifier_key(item) for item in items]
    if not keys:
        raise CheckpointError("no trusted verifier key was given")
    return keys


def open_note(
    note_text: str | bytes, verifier: str | VerifierKey | Iterable[str | VerifierKey]
) -> str:
    """Check a signed note and return its text, or raise :class:`CheckpointError`.

    ``verifier`` is one trusted verifier key or several (text or :class:`VerifierKey`).
    As the signed-note spec says: signatures by unknown keys are ignored; every
    signature by a trusted key must verify (one that fails rejects the note: it was
    altered or forged); and at least one must be by a trusted key.
    """
    keys = _verifiers(verifier)
    by_label: dict[tuple[str, bytes], VerifierKey] = {}
    for key in keys:
        known = by_label.setdefault((key.name, key.key_id), key)
        if known.public_key.public_bytes_raw() != key.public_key.public_bytes_raw():
            raise CheckpointError(f"two different trusted keys are both labelled {key.label()}")

    if isinstance(note_text, bytes):
        try:
            note_text = note_text.decode("utf-8")
        except UnicodeDecodeError:
            raise CheckpointError("malformed note: not UTF-8") from None
    if not isinstance(note_text, str):
        raise CheckpointError(f"malformed note: expected text, got {type(note_text).__name__}")
    bad = _control_character(note_text)
    if bad is not None:
        raise CheckpointError(f"malformed note: contains the control character {bad}")
    split = note_text.rfind("\n\n")
    if split < 0:
        raise CheckpointError("malformed note: no blank line before the signatures")
    text, block = note_text[: split + 1], note_text[split + 2 :]
    if not block.endswith("\n"):
        raise CheckpointError("malformed note: the signatures must end with a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise CheckpointError(f"malformed note: more than {MAX_SIGNATURES} signatures")

    message = text.encode("utf-8")
    verified: list[str] = []
    unknown: list[str] = []
    for line in lines:
        if not line.startswith(_SIGNATURE_PREFIX):
            raise CheckpointError(
                f"malformed note: {line[:40]!r} is not a signature line ('— name signature')"
            )
        name, _, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
        try:
            _check_name(name)
            blob = base64.b64decode(encoded, validate=True)
        except ValueError:  # a bad name (CheckpointError), bad or non-ASCII base64
            blob = b""
        if len(blob) < 5:
            raise CheckpointError(f"malformed note: bad signature line {line[:60]!r}")
        label = f"{name}+{blob[:4].hex()}"
        signer = by_label.get((name, blob[:4]))
        if signer is None:
            unknown.append(label)
            continue
        if label in verified:
            continue  # the same key again: the first of its signatures decides
        try:
            signer.public_key.verify(blob[4:], message)
        except InvalidSignature:
            raise CheckpointError(
                f"the signature by {label} does not verify: the note was altered after it"
                " was signed, or the signature is forged"
            ) from None
        verified.append(label)
    if not verified:
        trusted = ", ".join(key.label() for key in keys)
        raise CheckpointError(
            f"the note is not signed by a trusted key: it is signed by {', '.join(unknown)};"
            f" trusted: {trusted}"
        )
    return text


# ------------------------------------------------------------------------------ checkpoints


def sign_checkpoint(checkpoint: Checkpoint, key_name: str, private_key: Ed25519PrivateKey) -> str:
    """The signed note of ``checkpoint`` (by convention ``key_name`` is its origin)."""
    return sign_note(checkpoint.body(), key_name, private_key)


def open_checkpoint(
    note_text: str | bytes,
    verifier: str | VerifierKey | Iterable[str | VerifierKey],
    expected_origin: str | None = None,
) -> Checkpoint:
    """Check a signed checkpoint and return it, or raise :class:`CheckpointError`.

    Fails with a message that says which: a malformed note or checkpoint body; a note
    signed by no trusted key (another key, or another log's); a signature that does not
    verify (the checkpoint was altered, or forged); an origin other than
    ``expected_origin`` (a checkpoint of another federation's record).
    """
    checkpoint = Checkpoint.from_body(open_note(note_text, verifier))
    if expected_origin is not None and checkpoint.origin != expected_origin:
        raise CheckpointError(
            f"the checkpoint is for {checkpoint.origin!r}, not {expected_origin!r}: it is"
            " another federation's record"
        )
    return checkpoint
