"""Fixtures of the web tests: a small real Chinese index (built once per session), apps and clients over it.

Loaded by ``tests/conftest.py`` with ``pytest_plugins = ["web_fixtures"]``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.writer import reindex
from web import create_app

_CITIES = ("北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "西安", "南京", "重庆", "天津", "长沙")
_SOURCES = ("新华社", "人民日报", "央视新闻", "中国新闻网")


#: The keys of a search answer, in order (/api/search, ``zhsearch search --json``, ``SearchResult.to_api_dict``).
SEARCH_KEYS = [
    "query",
    "total",
    "stories",
    "page",
    "per_page",
    "took_ms",
    "relaxed",
    "suggestion",
    "corrected",
    "results",
    "facets",
]


def _cases() -> list[dict[str, Any]]:
    """Twelve similar fraud-case reports: enough for two pages of 诈骗 at 10 a page, over several sources and years."""
    out = []
    for i, city in enumerate(_CITIES):
        out.append(
            {
                "id": f"case{i + 1:02d}",
                "title": f"{city}警方破获一起冒充客服电信诈骗案",
                "body": f"{city}市公安局近日破获一起冒充客服的电信诈骗案，抓获犯罪嫌疑人{i + 2}名，涉案金额{(i + 1) * 12}万元。\n"
                "警方提醒：凡是要求转账到“安全账户”的客服都是诈骗，请拨打96110咨询。",
                "source": _SOURCES[i % 4],
                "category": "法治",
                "published": f"{2023 + i % 3}-{i % 12 + 1:02d}-{i + 10:02d} 09:30",
                "url": f"https://news.example.com/case/{i + 1}",
            }
        )
    return out


#: The articles of the test index.
CORPUS: list[dict[str, Any]] = [
    {
        "id": "mps-2025",
        "title": "公安部：坚持不懈盯着打、追着打，坚决摧毁境外诈骗窝点",
        "body": "2025年初，公安部在京召开新闻发布会，通报一年来全国公安机关打击犯罪的成效。\n"
        "公安部新闻发言人介绍，公安机关联合四部门出台《电信网络诈骗及其违法犯罪联合惩戒办法》，打击电信网络诈骗犯罪取得显著成效。\n"
        "截至2024年底，已累计抓获中国籍涉诈犯罪嫌疑人5.3万余名，缅北地区规模化电诈园区被全部铲除。\n"
        "下一步，公安部将继续坚持不懈盯着打、追着打，坚决摧毁境外诈骗窝点。",
        "source": "新华社",
        "category": "法治",
        "published": "2025-01-10 10:00",
        "url": "https://news.example.com/mps-2025",
    },
    {
        "id": "mps-summer",
        "title": "公安部部署开展夏季治安打击整治行动",
        "body": "公安部近日召开视频会议，部署全国公安机关开展夏季治安打击整治行动。\n会议要求，依法严厉打击电信网络诈骗等突出违法犯罪。",
        "source": "人民日报",
        "category": "法治",
        "published": "2024-06-20",
        "url": "https://news.example.com/mps-summer",
    },
    {
        "id": "mps-cases",
        "title": "公安部公布十起电信网络诈骗典型案例",
        "body": "公安部刑侦局公布十起电信网络诈骗典型案例，提醒群众提高警惕。\n案例涉及刷单返利、虚假投资理财、冒充客服等常见诈骗手法。",
        "source": "央视新闻",
        "category": "法治",
        "published": "2024-09-01 20:15",
        "url": "https://news.example.com/mps-cases",
    },
    {
        "id": "intl-tw",
        "title": "國際刑警組織通報跨境詐騙案",
        "body": "國際刑警組織今日通報，多國警方聯手破獲一個跨境電信網絡詐騙集團。\n該集團在東南亞設立詐騙窩點，受害者遍及十多個國家。",
        "source": "中央社",
        "category": "国际",
        "published": "2023-11-02",
        "url": "https://news.example.com/intl-tw",
    },
    {
        "id": "myanmar",
        "title": "缅北电诈园区被全部铲除",
        "body": "中缅执法安全合作取得重大战果，缅北果敢“四大家族”犯罪集团被彻底摧毁。\n临近我边境一侧的缅北地区规模化电诈园区被全部铲除。",
        "source": "新华社",
        "category": "国际",
        "published": "2024-12-28",
        "url": "https://news.example.com/myanmar",
    },
    {
        "id": "phone-5g",
        "title": "5G手机出货量同比增长",
        "body": "中国信息通信研究院发布数据，今年一季度国内5G手机出货量同比增长两成。\n分析人士认为，人工智能功能成为新的卖点。",
        "source": "中国新闻网",
        "category": "科技",
        "published": "2024-04-15",
        "url": "https://news.example.com/phone-5g",
    },
    {
        "id": "ai-models",
        "title": "人工智能大模型走进千家万户",
        "body": "从智能客服到辅助写作，人工智能大模型正在走进千家万户。\n专家提醒，也要警惕利用人工智能换脸实施的新型诈骗。",
        "source": "人民日报",
        "category": "科技",
        "published": "2025-02-03",
        "url": "https://news.example.com/ai-models",
    },
    {
        "id": "football",
        "title": "国家队备战世界杯预选赛",
        "body": "中国男足国家队今日在上海集结，备战世界杯预选赛。\n主教练表示，球队将全力以赴。",
        "source": "央视新闻",
        "category": "体育",
        "published": "2024-03-22",
        "url": "https://news.example.com/football",
    },
    {
        "id": "escape-test",
        "title": "<script>alert(1)</script> 标题里的脚本 & 符号",
        "body": "正文里也有 <b>标签</b> 和 & 符号，必须原样显示为文字。",
        "source": "测试",
        "category": "科技",
        "published": "2023-05-05",
        "url": "javascript:alert(1)",
    },
    {
        "id": "luogu",
        "title": "锣鼓经",
        "body": "锣鼓经是传统器乐及戏曲里面常用的打击乐记谱方法。\n以汉字的发音模拟打击乐器的声音。",
        "source": "维基百科",
        "url": "https://zh.wikipedia.org/wiki/%E9%94%A3%E9%BC%93%E7%BB%8F",
    },
    *_cases(),
]


def write_corpus(directory: Path, articles: list[dict[str, Any]] = CORPUS) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "articles.jsonl"
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")
    return path


def build_index(root: Path, articles: list[dict[str, Any]] = CORPUS) -> Path:
    """A real index of ``articles`` under ``root``; returns the index directory."""
    source = write_corpus(root / "articles", articles)
    index_dir = root / "index"
    reindex([source], index_dir, jobs=1)
    return index_dir


#: Settings of every test app: no rate limit (the default, kept off whatever the environment says), refresh on
#: every request.
TEST_CONFIG = {"TESTING": True, "RATE_LIMIT": "", "REFRESH_SECONDS": 0}


@pytest.fixture(scope="session")
def web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The index of :data:`CORPUS`, built once per session (per xdist worker)."""
    return build_index(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="session")
def web_app(web_index: Path) -> Flask:
    """The app over the shared test index (do not change its config: make your own with ``make_web_app``)."""
    return create_app({**TEST_CONFIG, "INDEX_DIR": str(web_index)})


@pytest.fixture
def web_client(web_app: Flask) -> Iterator[FlaskClient]:
    with web_app.test_client() as client:
        yield client


@pytest.fixture
def make_web_app(web_index: Path) -> Callable[..., Flask]:
    """A factory of apps over the shared index with extra settings: ``make_web_app(RATE_LIMIT="3/minute")``."""

    def make(**config: Any) -> Flask:
        return create_app({**TEST_CONFIG, "INDEX_DIR": str(web_index), **config})

    return make


# -- a real server process ----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """``zhsearch serve`` in a subprocess on a free loopback port; ``stop()`` returns what it logged."""

    def __init__(
        self, index_dir: Path, *args: str, workers: int = 1, env: dict[str, str] | None = None
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.TemporaryFile()
        command = [sys.executable, "-m", "zhsearch", "serve", "--host", "127.0.0.1", "--port", str(self.port)]
        command += ["--workers", str(workers), "--index", str(index_dir), *args]
        environment = {k: v for k, v in os.environ.items() if not k.startswith("ZHSEARCH_")}
        environment.update(env or {})
        self.process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT, env=environment)

    def wait_ready(self, timeout: float = 20.0) -> LiveServer:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"zhsearch serve exited with {self.process.returncode}:\n{self.log()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"zhsearch serve did not listen within {timeout} s:\n{self.log()}")

    def get(self, path: str, timeout: float = 10.0) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.url + path, headers={"Accept": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as err:
            with err:
                return err.code, dict(err.headers), err.read()

    def json(self, path: str) -> tuple[int, Any]:
        status, _, body = self.get(path)
        return status, json.loads(body)

    def log(self) -> str:
        self._log.seek(0)
        return self._log.read().decode("utf-8", "replace")

    def stop(self) -> str:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        text = self.log()
        self._log.close()
        return text


# -- the browser of the browser tests (tests/test_browser*.py) -------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
INSTALL_HINT = "sudo apt-get install chromium fonts-wqy-microhei"


def browser_unavailable(reason: str) -> None:
    """Skip (fail under ZHSEARCH_REQUIRE_BROWSER=1) a browser test that cannot run here."""
    if os.environ.get("ZHSEARCH_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (ZHSEARCH_REQUIRE_BROWSER=1); install it with: {INSTALL_HINT}")
    pytest.skip(f"{reason}; install it with: {INSTALL_HINT}")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright, one per test module."""
    if not CHROMIUM.exists():
        browser_unavailable(f"browser tests need Debian's Chromium at {CHROMIUM}")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        browser_unavailable("browser tests need Playwright (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()
