"""Screenshots of the README: home, results, article and help pages at 1280 px (desktop) and 390 px (phone).

Builds the shipped sample (``index_data/articles``) into a temporary directory with ``zhsearch reindex``, serves
it with ``zhsearch serve`` on a free port, drives Debian's Chromium through Playwright (never a downloaded
browser) and writes ``docs/screenshots/<page>-<width>.png``, reduced to a 256-colour palette when Pillow is
installed.

    .venv/bin/python docs/screenshots.py          # or: make screenshots

Needs ``/usr/bin/chromium`` and ``fonts-wqy-microhei`` (apt) and Playwright (the dev extras); Pillow, when installed
(the bench extras bring it), makes the PNGs a third of Chromium's.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from playwright.sync_api import Page, sync_playwright

try:
    from PIL import Image
except ImportError:  # Pillow comes with the bench extras (matplotlib); without it, Chromium's PNG as is
    Image = None

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "index_data" / "articles"
OUT = ROOT / "docs" / "screenshots"
sys.path.insert(0, str(ROOT / "tests"))  # the browser and its arguments, as the browser tests launch it
from web_fixtures import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

#: The query of the results page: 172 passages with the word highlighted in titles and snippets, and one dated
#: story of the saved news page's 相关推荐, so the month chart and the year facet show (the passages have no date).
QUERY = "香港"
#: The article page: one of those results, short enough for the phone's whole page to show its related articles.
ARTICLE = "cmrc-TRIAL_496"
#: Viewport (width, height) of each device; the height is what a screenshot shows, but for the phone's article
#: page, taken whole (its related articles come after the text).
VIEWPORTS = {1280: (1280, 800), 390: (390, 844)}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def zhsearch(*args: str) -> list[str]:
    return [sys.executable, "-m", "zhsearch", *args]


def wait_listening(port: int, process: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"zhsearch serve exited with status {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"zhsearch serve did not listen within {timeout:.0f} s")


def save_png(png: bytes, path: Path) -> None:
    """Write ``png`` as a 256-colour palette PNG (text and flat colours survive this unchanged to the eye), about
    a third of Chromium's own PNG; without Pillow, Chromium's PNG."""
    if Image is None:
        path.write_bytes(png)
        return
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )


def shoot(page: Page, path: Path, full_page: bool = False) -> None:
    """Save what ``page`` shows; a page wider than the viewport (it would scroll sideways) is an error."""
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        raise SystemExit(f"{page.url} is {scroll_width} px wide at {width} px: it scrolls sideways")
    save_png(page.screenshot(full_page=full_page, animations="disabled", caret="hide"), path)
    print(f"{path}: {path.stat().st_size // 1024} KB")


def take(base: str, out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            for width, (w, h) in VIEWPORTS.items():
                context = browser.new_context(
                    locale="zh-CN", timezone_id="Asia/Shanghai", viewport={"width": w, "height": h}
                )
                page = context.new_page()
                page.goto(f"{base}/")
                # the suggestions as a reader types pinyin; on the phone, the page as it opens
                if width > 600:
                    page.locator("#q").press_sequentially("xianggang", delay=40)
                    page.locator("#suggestions li").first.wait_for()
                shoot(page, out / f"home-{width}.png")
                page.goto(f"{base}/?q={quote(QUERY)}")
                shoot(page, out / f"results-{width}.png")
                page.goto(f"{base}/articles/{quote(ARTICLE)}?q={quote(QUERY)}")
                shoot(page, out / f"article-{width}.png", full_page=width < 600)
                page.goto(f"{base}/help")
                shoot(page, out / f"help-{width}.png")
                context.close()
        finally:
            browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", type=Path, default=OUT, help="directory of the PNGs (default docs/screenshots)"
    )
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"no Chromium at {CHROMIUM}: sudo apt-get install chromium fonts-wqy-microhei")
    args.out.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZHSEARCH_")}
    with tempfile.TemporaryDirectory(prefix="zhsearch-screenshots-") as tmp:
        index = Path(tmp) / "index"
        subprocess.run(zhsearch("reindex", str(SAMPLE), "--index", str(index)), env=env, check=True, cwd=ROOT)
        port = free_port()
        serve_env = {**env, "ZHSEARCH_RESULT_CACHE": "0"}
        command = zhsearch(
            "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--index", str(index)
        )
        log = Path(tmp) / "serve.log"
        with log.open("wb") as log_file:
            server = subprocess.Popen(
                command, env=serve_env, cwd=ROOT, stdout=log_file, stderr=subprocess.STDOUT
            )
        try:
            wait_listening(port, server)
            # one search first, so the page's 用时 is a warm search's (each one searched anew: no result cache)
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/search?q={quote(QUERY)}", timeout=30).close()
            take(f"http://127.0.0.1:{port}", args.out.resolve())
        except BaseException:
            print(log.read_text(encoding="utf-8", errors="replace"), file=sys.stderr)
            raise
        finally:
            server.terminate()
            server.wait(timeout=15)


if __name__ == "__main__":
    main()
