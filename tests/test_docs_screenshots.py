"""The README's screenshots exist, are PNGs and have the width their names state (no browser: the PNG header).

They are taken by ``docs/screenshots.py`` (``make screenshots``).
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
SHOTS = ROOT / "docs" / "screenshots"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def readme_images() -> list[str]:
    """The local images the README shows: ``![alt](path)`` and ``<img src="path">``."""
    paths = re.findall(r"!\[[^\]]*\]\(([^)\s]+)", README) + re.findall(
        r"<img\b[^>]*\bsrc=\"([^\"]+)\"", README
    )
    return [p for p in paths if not re.match(r"[a-z]+:", p)]


def png_size(path: Path) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which a PNG holds first, right after its signature."""
    head = path.read_bytes()[:24]
    assert head[:8] == PNG_SIGNATURE, f"{path} is not a PNG"
    assert head[12:16] == b"IHDR", f"{path}: no IHDR chunk first"
    return struct.unpack(">II", head[16:24])


def test_the_readme_shows_the_four_pages_at_both_widths() -> None:
    expected = {
        f"docs/screenshots/{page}-{width}.png"
        for page in ("home", "results", "article", "help")
        for width in (1280, 390)
    }
    assert expected <= set(readme_images())


@pytest.mark.parametrize("image", readme_images())
def test_every_readme_image_is_a_png_of_its_stated_width(image: str) -> None:
    path = ROOT / image
    assert path.is_file(), f"README shows {image}, which does not exist"
    width, height = png_size(path)
    stated = re.search(r"-(\d+)\.png$", image)
    assert stated, f"{image}: name it <page>-<width>.png"
    assert width == int(stated.group(1)), f"{image} is {width} px wide"
    assert height >= 600, f"{image} is only {height} px high"
    assert path.stat().st_size < 300_000, (
        f"{image} is {path.stat().st_size // 1024} KB: run docs/screenshots.py"
    )


def test_no_screenshot_is_left_unshown() -> None:
    shown = {(ROOT / p).resolve() for p in readme_images()}
    assert sorted(p.name for p in SHOTS.glob("*.png") if p.resolve() not in shown) == []
