"""A branded test questionnaire and a logo made in the test: what the branding tests share."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

from surveyapp import store
from surveyapp.store import logos

ACCENT = "#1f5fa8"
THANKS = "Thank you for helping **Northwind**.\n\nResults: [our site](https://northwind.example/results)."


def png(
    width: int, height: int, stripes: tuple[tuple[int, int, int], ...] = ((31, 95, 168),)
) -> bytes:
    """A real PNG of horizontal bands in the given colours."""
    band = max(1, height // len(stripes))
    rows = (
        b"\x00" + bytes(stripes[min(y // band, len(stripes) - 1)]) * width for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(b"".join(rows))) + chunk(b"IEND", b""))  # fmt: skip


LOGO = png(160, 48, ((31, 95, 168), (255, 255, 255), (242, 169, 0)))


def definition_text(logo: str, redirect: str = "https://northwind.example/") -> str:
    """The branded questionnaire, its `branding` naming the logo `logo`."""
    thanks = "".join(f"    {line}\n" for line in THANKS.splitlines())
    branding = f"""branding:
  organiser: Northwind Research
  logo: {logo}
  accent: "{ACCENT}"
  thanks: |
{thanks}  redirect_after_thanks: {redirect}
"""
    return unbranded_text().replace("pages:\n", branding + "pages:\n", 1)


def unbranded_text(survey: str = "branded") -> str:
    """The same questionnaire without `branding`."""
    return f"""id: {survey}
title: Supplier satisfaction
audience: suppliers
edition: 2026
introduction: |
  Thank you for taking part. Your answers help **Northwind** choose what to improve.

  See [how we use answers](https://northwind.example/privacy).
pages:
  - title: About you
    questions:
      - id: role
        type: single_choice
        text: What is your role?
        options:
          - {{code: buyer, label: Buyer}}
          - {{code: manager, label: Manager}}
  - title: Your view
    questions:
      - id: comments
        type: long_text
        text: What should we improve?
        required: false
"""


def branded_folder(tmp: Path, redirect: str = "https://northwind.example/") -> Path:
    folder = tmp / "branded"
    folder.mkdir(exist_ok=True)
    (folder / "branded.yaml").write_text(definition_text(logos.logo_id(LOGO), redirect))
    return folder


def store_logo(app) -> str:
    with app.app_context():
        db = store.thread_connection(app.config["DATABASE"])
        return logos.save(db, LOGO, "image/png", (160, 48), "test")
