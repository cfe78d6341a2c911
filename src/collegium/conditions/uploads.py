"""Photo uploads: real limits, the type sniffed from the bytes, metadata stripped by
re-encoding, stored under a random name outside the web root.

``process_image`` is pure (bytes in, bytes out) so it can be tested without a database;
``store_image`` writes the result into ``settings.COLLEGIUM_UPLOAD_DIR``.

* Size: at most ``COLLEGIUM_UPLOAD_MAX_BYTES`` (8 MiB) as uploaded.
* Type: Pillow reads the bytes; only JPEG, PNG and WebP are opened at all. The declared
  content type and the file name's extension must agree with what the bytes are.
* Decompression bombs: the pixel count from the header is checked against
  ``COLLEGIUM_UPLOAD_MAX_PIXELS`` before any pixel is decoded.
* Re-encoding: orientation applied, then JPEG and WebP become JPEG, PNG stays PNG; no
  EXIF (GPS!), XMP, ICC or text chunks survive. Longest side at most ``MAX_SIDE``.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageOps, UnidentifiedImageError

from collegium.conditions.transitions import ConditionsError

MAX_SIDE = 2560
THUMB_SIDE = 320
MAX_PHOTOS = 5
ACCEPTED = ("JPEG", "PNG", "WEBP")
CONTENT_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".webp": "WEBP"}
DECLARED = {"image/jpeg": "JPEG", "image/jpg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
STORED_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}


@dataclass(frozen=True)
class Upload:
    """An uploaded file as the services see it: its name and type as declared, its bytes."""

    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class ProcessedImage:
    data: bytes
    thumb: bytes
    format: str  # "jpeg" or "png"
    width: int
    height: int

    @property
    def extension(self) -> str:
        return "jpg" if self.format == "jpeg" else "png"


def _limits() -> tuple[int, int]:
    return int(settings.COLLEGIUM_UPLOAD_MAX_BYTES), int(settings.COLLEGIUM_UPLOAD_MAX_PIXELS)


def _mib(n: float) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def clean_name(name: str) -> str:
    """The uploaded file's name, reduced to safe characters for the download header."""
    base = os.path.basename(name.replace("\\", "/"))
    kept = "".join(c for c in base if c.isalnum() or c in "._- ")[:80].strip(" .")
    return kept or "photo"


def process_image(
    data: bytes, *, name: str, content_type: str, field: str = "photos"
) -> ProcessedImage:
    """Check and re-encode one upload; raise ``ConditionsError`` naming ``field`` and the
    file when it is not an acceptable image."""
    max_bytes, max_pixels = _limits()
    label = f"{clean_name(name)!r}"
    if not data:
        raise ConditionsError({field: f"{label} is empty"})
    if len(data) > max_bytes:
        raise ConditionsError(
            {field: f"{label} is {_mib(len(data))}; a photo may be at most {_mib(max_bytes)}"}
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened: Image.Image = Image.open(io.BytesIO(data), formats=list(ACCEPTED))
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise ConditionsError(
            {field: f"{label} has too many pixels; at most {max_pixels / 1e6:g} megapixels"}
        ) from None
    except UnidentifiedImageError:
        raise ConditionsError(
            {field: f"{label} is not a JPEG, PNG or WebP image (its bytes say otherwise)"}
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise ConditionsError({field: f"{label} is a damaged image"}) from None
    image = opened
    actual = opened.format or ""
    ext = os.path.splitext(name.lower())[1]
    by_name = EXTENSIONS.get(ext)
    declared = DECLARED.get(content_type.split(";")[0].strip().lower())
    words = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP"}
    if by_name is None:
        raise ConditionsError({field: f"{label}: the name must end in .jpg, .jpeg, .png or .webp"})
    if by_name != actual:
        raise ConditionsError(
            {
                field: f"{label} is named as {words[by_name]} but its bytes are "
                f"{words.get(actual, actual)}"
            }
        )
    undeclared = content_type.split(";")[0].strip().lower() in ("", "application/octet-stream")
    if not undeclared and declared != actual:
        raise ConditionsError(
            {
                field: f"{label} is sent as {content_type.split(';')[0]!r} but its bytes are "
                f"{words.get(actual, actual)}"
            }
        )
    width, height = image.size
    if width * height > max_pixels:
        raise ConditionsError(
            {
                field: f"{label} is {width}×{height} pixels; at most "
                f"{max_pixels / 1e6:g} megapixels are accepted"
            }
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image.load()
            image = ImageOps.exif_transpose(image) or image
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning):
        raise ConditionsError({field: f"{label} is a damaged or truncated image"}) from None
    out_format = "png" if actual == "PNG" else "jpeg"
    image = _normalise_mode(image, out_format)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    main = _encode(image, out_format)
    thumb_image = image.copy()
    thumb_image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    thumb = _encode(thumb_image, out_format)
    return ProcessedImage(main, thumb, out_format, image.width, image.height)


def _normalise_mode(image: Image.Image, out_format: str) -> Image.Image:
    if out_format == "png":
        if image.mode in ("RGB", "RGBA", "L", "LA"):
            return image
        return image.convert("RGBA")
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "P", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return image.convert("RGB")


def _encode(image: Image.Image, out_format: str) -> bytes:
    # A fresh image carries no info dict: nothing of the original's metadata is written.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    buffer = io.BytesIO()
    if out_format == "png":
        clean.save(buffer, "PNG", optimize=True)
    else:
        clean.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    return buffer.getvalue()


def upload_root() -> Path:
    return Path(settings.COLLEGIUM_UPLOAD_DIR) / "conditions"


def stored_path(stored_name: str) -> Path:
    """The file of a stored name; names are ours (hex), never a member's."""
    if not stored_name or "/" in stored_name or "\\" in stored_name or ".." in stored_name:
        raise ValueError("not a stored name")
    return upload_root() / stored_name[:2] / stored_name


@dataclass(frozen=True)
class StoredImage:
    stored_name: str
    thumb_name: str
    sha256: str
    size: int


def store_image(image: ProcessedImage) -> StoredImage:
    """Write the photo and its thumbnail under fresh random names (mode 0640)."""
    token = secrets.token_hex(16)
    names = (f"{token}.{image.extension}", f"{token}-thumb.{image.extension}")
    for stored, data in zip(names, (image.data, image.thumb), strict=True):
        path = stored_path(stored)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    return StoredImage(names[0], names[1], hashlib.sha256(image.data).hexdigest(), len(image.data))


def remove_stored(*names: str) -> None:
    """Undo ``store_image`` when the transaction that would have kept the row fails."""
    for name in names:
        try:
            stored_path(name).unlink(missing_ok=True)
        except ValueError:
            continue
