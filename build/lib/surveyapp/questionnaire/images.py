"""An uploaded logo checked by its content, never by its name or the browser's word:
PNG, JPEG or WebP (SVG is refused: it may carry scripts), read far enough to know its
width and height, within a size and dimension limit."""

from __future__ import annotations

import struct
from dataclasses import dataclass

MAX_SIDE = 2000
MIN_SIDE = 16
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_END = b"IEND\xaeB`\x82"
JPEG_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}
JPEG_STANDALONE = {0x01, *range(0xD0, 0xD9)}


class ImageRefused(ValueError):
    """Why an upload is not a logo we serve (the message is shown at the field)."""


@dataclass(frozen=True)
class Image:
    content_type: str
    width: int
    height: int


def check_image(data: bytes, max_bytes: int) -> Image:
    """The checked image; ImageRefused saying why it is not one we accept."""
    if not data:
        raise ImageRefused("Choose an image file to upload.")
    if len(data) > max_bytes:
        raise ImageRefused(f"The file is too large: a logo may be at most {max_bytes // 1024} KB.")
    image = _read(data)
    if image is None:
        raise ImageRefused("This file is not a PNG, JPEG or WebP image (SVG is not accepted).")
    if not (MIN_SIDE <= image.width <= MAX_SIDE and MIN_SIDE <= image.height <= MAX_SIDE):
        raise ImageRefused(f"The image is {image.width}×{image.height} pixels: each side must "
                           f"be from {MIN_SIDE} to {MAX_SIDE}.")  # fmt: skip
    return image


def _read(data: bytes) -> Image | None:
    try:
        if data.startswith(PNG_SIGNATURE):
            return _png(data)
        if data.startswith(b"\xff\xd8\xff"):
            return _jpeg(data)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            return _webp(data)
    except (struct.error, IndexError):
        return None
    return None


def _png(data: bytes) -> Image | None:
    if data[12:16] != b"IHDR" or not data.endswith(PNG_END):
        return None
    width, height = struct.unpack(">II", data[16:24])
    return Image("image/png", width, height)


def _jpeg(data: bytes) -> Image | None:
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        if marker == 0xFF:  # fill byte
            at += 1
            continue
        if marker in JPEG_STANDALONE:
            at += 2
            continue
        (length,) = struct.unpack(">H", data[at + 2 : at + 4])
        if marker in JPEG_SOF:
            height, width = struct.unpack(">HH", data[at + 5 : at + 9])
            return Image("image/jpeg", width, height)
        at += 2 + length
    return None


def _webp(data: bytes) -> Image | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and data[23:26] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", data[26:30])
        return Image("image/webp", width & 0x3FFF, height & 0x3FFF)
    if chunk == b"VP8L" and data[20] == 0x2F:
        (bits,) = struct.unpack("<I", data[21:25])
        return Image("image/webp", (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
    if chunk == b"VP8X":
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return Image("image/webp", width, height)
    return None
