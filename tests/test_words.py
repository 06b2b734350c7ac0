"""The words a reader sees: untitled results, the help page, the page limit, the shipped files' notes."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from web import create_app
from web.pages import display_title

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def untitled_client(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from indexer.writer import reindex

    tmp = tmp_path_factory.mktemp("untitled")
    source = tmp / "a.jsonl"
    records = [
        {"id": "t1", "body": "警方近日破获一起跨境电信网络诈骗案件，抓获犯罪嫌疑人一百余名，涉案金额巨大。"},
        {"id": "t2", "title": "有标题的诈骗新闻", "body": "另一起诈骗案。"},
    ]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    reindex([source], tmp / "ix", jobs=1)
    app = create_app({"TESTING": True, "RATE_LIMIT": "", "REFRESH_SECONDS": 0, "INDEX_DIR": str(tmp / "ix")})
    with app.test_client() as client:
        yield client


def test_an_untitled_result_shows_the_start_of_its_body(untitled_client) -> None:  # type: ignore[no-untyped-def]
    page = untitled_client.get("/?q=诈骗").get_data(as_text=True)
    links = re.findall(r'<h3><a href="/articles/(t\d)[^"]*">(.*?)</a></h3>', page)
    assert dict(links) == {
        "t1": '<span class="untitled">警方近日破获一起跨境电信网络诈骗案件，抓获犯罪嫌疑人一百余名…</span>',
        "t2": "有标题的<mark>诈骗</mark>新闻",
    }
    article = untitled_client.get("/articles/t1").get_data(as_text=True)
    assert "<h1>警方近日破获一起跨境电信网络诈骗案件，抓获犯罪嫌疑人一百余名…</h1>" in article


def test_display_title() -> None:
    assert display_title("标题", "正文") == "标题"
    assert display_title("", "\n短的正文\n第二段") == "短的正文"
    assert display_title("  ", "") == "无标题"


def test_help_page_says_where_the_filters_are(web_client) -> None:  # type: ignore[no-untyped-def]
    page = web_client.get("/help").get_data(as_text=True)
    assert "左侧" not in page
    assert "也可以点结果右侧的筛选，手机上在结果下方" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (
            "page=200000",
            "page: only the first 1,000 results can be viewed, on pages 1 to 100 at 10 per page; got 200000",
        ),
        (
            "page=21&per_page=50",
            "page: only the first 1,000 results can be viewed, on pages 1 to 20 at 50 per page; got 21",
        ),
    ],
)
def test_page_out_of_range_names_the_real_limit(web_client, query: str, message: str) -> None:  # type: ignore[no-untyped-def]
    response = web_client.get(f"/api/search?q=a&{query}")
    assert response.status_code == 400
    assert response.json["error"] == {"code": "page_out_of_range", "message": message}
    assert web_client.get("/api/search?q=a&page=20&per_page=50").status_code == 200


def test_attribution_points_at_files_that_exist() -> None:
    text = (ROOT / "index_data" / "articles" / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert "../seed/" not in text
    for name in re.findall(r"^## (\S+)", text, re.M):
        assert (ROOT / "index_data" / "articles" / name).is_file(), name


def test_the_shipped_user_dictionary_is_tracked_and_not_ignored() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "--error-unmatch", "index_data/userdict.txt"], cwd=ROOT, capture_output=True
    )
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", "index_data/userdict.txt"], cwd=ROOT, capture_output=True
    )
    assert (tracked.returncode, ignored.returncode) == (0, 1)
