"""One story once: results collapse the near-duplicate copies ``reindex`` grouped (search/collapse.py), on the
shipped sample plus two copies of its seed article as portals republish it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import build_index

from search import Searcher
from web import create_app

SAMPLE = Path(__file__).parent.parent / "index_data" / "articles"
SEED = "u5e07e22f44237de1ec48"
COPIES = ("copy-sina", "copy-163")


@pytest.fixture(scope="module")
def copied_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample with two republished copies of the seed: another source line, a sentence dropped or edited."""
    work = tmp_path_factory.mktemp("collapse")
    seed = Searcher(build_index([SAMPLE], work / "sample"), cache_size=0).get(SEED)
    assert seed is not None
    sentences = seed.body.split("。")
    copies = [
        {
            "id": COPIES[0],
            "title": "公安部：坚决摧毁境外诈骗窝点",
            "body": "来源：新浪新闻\n" + "。".join(sentences[:3] + sentences[4:]),
            "source": "新浪新闻",
            "published": "2025-03-07T10:00:00+08:00",
        },
        {
            "id": COPIES[1],
            "title": "公安部:坚持不懈盯着打、追着打,坚决摧毁境外诈骗窝点",
            "body": seed.body.replace("坚决", "坚定") + "\n（责任编辑：李明）",
            "source": "网易新闻",
            "published": "2025-03-08T09:00:00+08:00",
        },
    ]
    path = work / "copies.jsonl"
    path.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in copies), encoding="utf-8")
    return build_index([SAMPLE, path], work / "index")


@pytest.fixture(scope="module")
def searcher(copied_index: Path) -> Searcher:
    return Searcher(copied_index, cache_size=0)


def _story(searcher: Searcher, doc_id: str) -> frozenset[str]:
    return frozenset({doc_id, *(c.id for c in searcher.copies(doc_id))})


@pytest.mark.parametrize(
    ("q", "sort"),
    [
        ("诈骗", "relevance"),
        ("诈骗", "newest"),
        ("诈骗", "oldest"),
        ("诈骗 窝点", "relevance"),
        ("公安部", "newest"),
    ],
)
def test_collapsed_results_are_the_first_copy_of_each_story_in_the_full_ranking(
    searcher: Searcher, q: str, sort: str
) -> None:
    full = [h.id for h in searcher.search(q, sort=sort, per_page=50, collapse=False).hits]
    seen: set[frozenset[str]] = set()
    expected = []
    for doc_id in full:
        story = _story(searcher, doc_id)
        if story not in seen:
            seen.add(story)
            expected.append(doc_id)
    got = searcher.search(q, sort=sort, per_page=50)
    assert [h.id for h in got.hits] == expected
    assert (got.total, got.stories) == (len(full), len(expected))
    for hit in got.hits:
        assert {c.id for c in hit.duplicates} == _story(searcher, hit.id) - {hit.id}


def test_a_story_is_shown_once_with_its_copies(searcher: Searcher) -> None:
    r = searcher.search("诈骗")
    assert (r.total, r.stories, r.collapsed) == (6, 4, 2)
    head = r.hits[0]
    assert head.id in {SEED, *COPIES} and not {h.id for h in r.hits[1:]} & {SEED, *COPIES}
    everyone = {
        SEED: ("公安部刑侦局微信公众号", "2025-03-06T00:00:00+08:00"),
        "copy-sina": ("新浪新闻", "2025-03-07T10:00:00+08:00"),
        "copy-163": ("网易新闻", "2025-03-08T09:00:00+08:00"),
    }
    assert {c.id: (c.source, c.published) for c in head.duplicates} == {
        k: v for k, v in everyone.items() if k != head.id
    }
    assert all(not h.duplicates for h in r.hits[1:])
    # the facets count every matching article
    assert dict(r.facets["source"]) == {
        "维基百科": 3,
        "公安部刑侦局微信公众号": 1,
        "网易新闻": 1,
        "新浪新闻": 1,
    }


def test_collapse_off_lists_every_copy(searcher: Searcher) -> None:
    r = searcher.search("诈骗", collapse=False)
    assert (r.total, r.stories, r.collapsed) == (6, 6, 0)
    assert {SEED, *COPIES} <= {h.id for h in r.hits}
    assert all(not h.duplicates for h in r.hits)


@pytest.mark.parametrize(("sort", "head"), [("newest", "copy-163"), ("oldest", SEED)])
def test_the_copy_shown_is_the_first_in_the_page_order(searcher: Searcher, sort: str, head: str) -> None:
    r = searcher.search("诈骗 窝点", sort=sort)
    assert [h.id for h in r.hits] == [head]
    assert {c.id for c in r.hits[0].duplicates} == {SEED, *COPIES} - {head}


def test_pages_count_stories(searcher: Searcher) -> None:
    r = searcher.search("诈骗", per_page=2)
    assert (r.pages, len(searcher.search("诈骗", per_page=2, page=2).hits)) == (2, 2)
    assert searcher.search("诈骗", per_page=2, page=3).hits == []


def test_the_article_lists_the_other_copies(searcher: Searcher) -> None:
    assert [c.id for c in searcher.copies(SEED)] == ["copy-sina", "copy-163"]  # oldest first
    assert [c.id for c in searcher.copies("copy-163")] == [SEED, "copy-sina"]
    assert searcher.copies("cmrc-DEV_35") == [] and searcher.copies("no-such-id") == []


@pytest.fixture(scope="module")
def client(copied_index: Path) -> Any:
    app = create_app({"TESTING": True, "RATE_LIMIT": "", "INDEX_DIR": str(copied_index)})
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    return app.test_client()


def test_api_fields(client: Any, searcher: Searcher) -> None:
    body = client.get("/api/search?q=诈骗").get_json()
    head = searcher.search("诈骗").hits[0]
    assert (body["total"], body["stories"], body["results"][0]["id"]) == (6, 4, head.id)
    assert body["results"][0]["duplicates"] == [c.to_dict() for c in head.duplicates]
    assert set(body["results"][0]["duplicates"][0]) == {"id", "title", "source", "published"}
    body = client.get("/api/search?q=诈骗&collapse=0").get_json()
    assert (body["total"], body["stories"], body["results"][0]["duplicates"]) == (6, 6, [])
    bad = client.get("/api/search?q=诈骗&collapse=2")
    assert (
        bad.status_code == 400 and bad.get_json()["error"]["message"] == "collapse: expected 0 or 1, got '2'"
    )
    article = client.get(f"/api/articles/{SEED}").get_json()
    assert [c["id"] for c in article["copies"]] == ["copy-sina", "copy-163"]


def test_pages_show_the_copies(client: Any, searcher: Searcher) -> None:
    head = searcher.search("诈骗 窝点", sort="oldest").hits[0]
    assert head.id == SEED
    html = client.get("/?q=诈骗 窝点&sort=oldest").get_data(as_text=True)
    assert (
        f'<p class="copies"><a href="/articles/{SEED}?q=%E8%AF%88%E9%AA%97+%E7%AA%9D%E7%82%B9#copies">另有 2 篇相似报道</a>：'
        "新浪新闻 2025年3月7日、网易新闻 2025年3月8日</p>"  # oldest first
    ) in html
    html = client.get("/?q=诈骗").get_data(as_text=True)
    assert (
        '（另有 2 篇相似报道已合并，<a class="show-copies" href="/?q=%E8%AF%88%E9%AA%97&amp;collapse=0">全部显示</a>）'
        in html
    )
    assert "相似报道" not in client.get("/?q=诈骗&collapse=0").get_data(as_text=True)
    page = client.get(f"/articles/{SEED}?q=诈骗").get_data(as_text=True)
    assert '<section class="copies" id="copies" aria-label="相似报道">' in page
    assert '<a href="/articles/copy-sina?q=%E8%AF%88%E9%AA%97">公安部：坚决摧毁境外诈骗窝点</a>' in page
