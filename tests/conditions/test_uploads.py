"""Uploads: real limits, the type sniffed from the bytes, metadata stripped."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from django.test import override_settings
from PIL import Image

from collegium.conditions.transitions import ConditionsError
from collegium.conditions.uploads import MAX_SIDE, clean_name, process_image, stored_path
from tests.conditions.conftest import image_bytes, jpeg_with_gps


def test_jpeg_is_reencoded_without_exif_or_gps() -> None:
    data = jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).getexif().get(0x8825) is not None
    out = process_image(data, name="IMG_0001.JPG", content_type="image/jpeg")
    assert out.format == "jpeg" and (out.width, out.height) == (40, 30)
    again = Image.open(io.BytesIO(out.data))
    assert again.format == "JPEG"
    assert not again.getexif() and "exif" not in again.info
    assert b"PhoneMaker" not in out.data and b"Exif" not in out.data
    assert Image.open(io.BytesIO(out.thumb)).format == "JPEG"


def test_webp_becomes_jpeg_and_png_stays_png() -> None:
    webp = process_image(image_bytes("WEBP"), name="a.webp", content_type="image/webp")
    assert webp.format == "jpeg" and webp.extension == "jpg"
    rgba = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    buffer = io.BytesIO()
    rgba.save(buffer, "PNG", pnginfo=_text_chunk("Comment", "secret address"))
    png = process_image(buffer.getvalue(), name="a.png", content_type="image/png")
    assert png.format == "png" and b"secret address" not in png.data
    assert Image.open(io.BytesIO(png.data)).mode == "RGBA"


def _text_chunk(key: str, value: str):  # type: ignore[no-untyped-def]
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text(key, value)
    return info


def test_large_images_are_scaled_down() -> None:
    out = process_image(
        image_bytes("JPEG", (MAX_SIDE * 2, 100)), name="wide.jpg", content_type="image/jpeg"
    )
    assert out.width == MAX_SIDE and out.height == 50


@pytest.mark.parametrize(
    ("data", "name", "content_type", "message"),
    [
        (b"", "a.jpg", "image/jpeg", "is empty"),
        (b"%PDF-1.7\n" + b"x" * 100, "a.jpg", "image/jpeg", "not a JPEG, PNG or WebP"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "a.svg", "image/svg+xml", "not a JPEG"),
        (image_bytes("GIF"), "a.gif", "image/gif", "not a JPEG, PNG or WebP"),
        (image_bytes("PNG"), "a.jpg", "image/jpeg", "named as JPEG but its bytes are PNG"),
        (image_bytes("JPEG"), "a.png", "image/jpeg", "named as PNG but its bytes are JPEG"),
        (image_bytes("JPEG"), "a.jpg", "image/png", "sent as 'image/png' but its bytes are JPEG"),
        (image_bytes("JPEG"), "a.exe", "image/jpeg", "must end in .jpg"),
        (image_bytes("JPEG")[:200], "a.jpg", "image/jpeg", "damaged"),
    ],
)
def test_bad_uploads_get_a_clear_error(
    data: bytes, name: str, content_type: str, message: str
) -> None:
    with pytest.raises(ConditionsError, match=message) as caught:
        process_image(data, name=name, content_type=content_type)
    assert list(caught.value.errors) == ["photos"]


def test_an_undeclared_type_is_taken_from_the_bytes() -> None:
    out = process_image(image_bytes("PNG"), name="a.png", content_type="application/octet-stream")
    assert out.format == "png"


@override_settings(COLLEGIUM_UPLOAD_MAX_BYTES=1000)
def test_too_large_a_file_is_refused_by_size() -> None:
    with pytest.raises(ConditionsError, match="a photo may be at most"):
        process_image(b"\xff" * 1001, name="a.jpg", content_type="image/jpeg")


def _png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size (a decompression bomb's header)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b""))
        + chunk(b"IEND", b"")
    )


@override_settings(COLLEGIUM_UPLOAD_MAX_PIXELS=10_000)
def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    with pytest.raises(ConditionsError, match=r"200×200 pixels; at most 0\.01 megapixels"):
        process_image(_png_header_only(200, 200), name="bomb.png", content_type="image/png")
    with pytest.raises(ConditionsError, match=r"too many pixels; at most 0\.01 megapixels"):
        process_image(_png_header_only(100_000, 100_000), name="b.png", content_type="image/png")


def test_names_are_cleaned_and_stored_names_checked() -> None:
    assert clean_name("../../etc/pass wd.jpg") == "pass wd.jpg"
    assert clean_name('a"b\r\n.jpg') == "ab.jpg"
    assert clean_name("") == "photo"
    for bad in ("../x", "a/b", ""):
        with pytest.raises(ValueError, match="not a stored name"):
            stored_path(bad)
