"""Pinyin queries and sound-alike slips (search/spelling.py, indexer/derived/spelling.py): the tables ``reindex`` writes,
the lookups on them, and what a search answers on the shipped sample."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import build_index

from indexer.derived.spelling import SPELLING_FILE, SpellingData, read_spelling
from indexer.store import live_version
from search import Searcher
from search.query import parse
from search.spelling import IndexStats, Speller, _rewrite, fuzzy
from web import create_app
from zhsearch.cli import cli

SAMPLE = Path(__file__).parent.parent / "index_data" / "articles"
SEED = "u5e07e22f44237de1ec48"  # the 公安部 press conference on telecom fraud (the seed page)


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index([SAMPLE], tmp_path_factory.mktemp("spelling-sample") / "index")


@pytest.fixture(scope="module")
def sample_searcher(sample_index: Path) -> Searcher:
    return Searcher(sample_index, cache_size=0)


# -- the lookups, on tables made by hand ---------------------------------------------------------------------


def _speller() -> Speller:
    words = [
        ("实施", 50, ("shi", "shi")),
        ("事实", 10, ("shi", "shi")),
        ("诈骗", 40, ("zha", "pian")),
        ("电信", 30, ("dian", "xin")),
        ("网络", 30, ("wang", "luo")),
        ("公安部", 20, ("gong", "an", "bu")),
        ("公安", 25, ("gong", "an")),
        ("农村", 12, ("nong", "cun")),
        ("国家", 60, ("guo", "jia")),
    ]
    chars = {
        "实": ("shi",), "施": ("shi",), "事": ("shi",), "诈": ("zha",), "骗": ("pian",), "炸": ("zha",),
        "电": ("dian",), "信": ("xin",), "网": ("wang",), "络": ("luo",), "落": ("luo", "la", "lao"),
        "公": ("gong",), "安": ("an",), "部": ("bu",), "按": ("an",), "农": ("nong",), "村": ("cun",),
        "龙": ("long",), "皴": ("cun",), "国": ("guo",), "家": ("jia",), "佳": ("jia",), "造": ("zao",),
        "咋": ("za", "zha", "ze"),
    }  # fmt: skip
    data = SpellingData([w for w, _, _ in words], [n for _, n, _ in words], [r for _, _, r in words], chars)
    return Speller(data)


@pytest.mark.parametrize(
    ("syllable", "sound"),
    [("zhang", "zan"), ("zan", "zan"), ("chi", "ci"), ("shen", "sen"), ("sheng", "sen"), ("lv", "nv"),
     ("ning", "nin"), ("liang", "nian"), ("xiong", "xiong"), ("an", "an"), ("ang", "an")],
)  # fmt: skip
def test_fuzzy_pairs_fall_together(syllable: str, sound: str) -> None:
    assert fuzzy(syllable) == sound


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("zhapian", ["诈骗"]),
        ("shishi", ["实施"]),  # two words spell it: the more frequent one
        ("dianxinwangluo", ["电信", "网络"]),
        ("gonganbu", ["公安部"]),  # one word, not 公安 + a syllable
        ("gab", ["公安部"]),  # initials of three characters
        ("ga", None),  # initials of two are too ambiguous
        ("gongan'bu", ["公安部"]),
        ("dianxinx", None),
        ("z", None),
    ],
)
def test_latin_words_spell_frequent_words(typed: str, words: list[str] | None) -> None:
    sp = _speller()
    got = sp.spell_latin(typed)
    assert (None if got is None else [sp.words[w] for w in got]) == words


@pytest.mark.parametrize(
    ("typed", "word"),
    [("公an部", "公安部"), ("公a部", "公安部"), ("gong安部", "公安部"), ("诈pian", "诈骗"), ("公x部", None)],
)
def test_mixed_words(typed: str, word: str | None) -> None:
    sp = _speller()
    got = sp.spell_mixed(typed)
    assert (None if got is None else sp.words[got]) == word


@pytest.mark.parametrize(
    ("span", "word"),
    [
        ("炸骗", "诈骗"),  # same syllable
        ("咋骗", "诈骗"),  # one of its readings
        ("龙村", "农村"),  # n/l
        ("农皴", "农村"),
        ("造骗", None),  # zao is not zha
        ("国佳", "国家"),
        ("诈骗", None),  # the word itself is no slip
        ("炸炸", None),  # two characters off
    ],
)
def test_one_character_that_sounds_the_same(span: str, word: str | None) -> None:
    sp = _speller()
    got = sp.sound_alike(span)
    assert (None if got is None else sp.words[got]) == word


def _stats(
    frequency: dict[str, int] | None = None,
    text: dict[str, int] | None = None,
    cuts: dict[str, list[str]] | None = None,
    known: set[str] | None = None,
) -> IndexStats:
    """Index statistics made by hand: word and text frequencies (0 unless given), the segmenter's cuts
    (default: longest words first, of the hand-made tables and ``known``) and its dictionary (default: empty)."""
    vocabulary = set(_speller().words) | (known or set())

    def segment(run: str) -> list[tuple[int, int]]:
        if run in (cuts or {}):
            out, at = [], 0
            for word in cuts[run]:  # type: ignore[index]
                out.append((at, at + len(word)))
                at += len(word)
            return out
        out, at = [], 0
        while at < len(run):
            end = next((e for e in range(min(len(run), at + 4), at, -1) if run[at:e] in vocabulary), at + 1)
            out.append((at, end))
            at = end
        return out

    return IndexStats(
        lambda w: (frequency or {}).get(w, 0),
        lambda t, enough: (text or {}).get(t, 0),
        segment,
        lambda w: w in (known or set()),
    )


def test_a_slip_is_corrected_only_where_the_index_does_not_hold_the_text() -> None:
    sp = _speller()
    assert sp.correct_run("电信网落诈骗", _stats()) == "电信网络诈骗"
    assert sp.correct_run("炸骗", _stats()) == "诈骗"
    # 网落 standing together in one article against 网络's 30: 30 < 1 * SOUND_RATIO, so it stays
    assert sp.correct_run("电信网落诈骗", _stats(text={"网落": 1})) is None
    assert sp.correct_run("炸骗", _stats(frequency={"炸骗": 2})) is None  # a word of the index
    assert sp.correct_run("诈骗", _stats()) is None


def test_characters_of_words_the_index_holds_are_not_respelled() -> None:
    sp = _speller()
    # only a loose character is replaced (在哪里 must not become 在内里 for 在内): 龙 is loose, 皴 is settled
    assert sp.correct_run("龙村", _stats(cuts={"龙村": ["龙", "村"]})) == "农村"
    assert sp.correct_run("农皴城", _stats(cuts={"农皴城": ["农", "皴城"]}, known={"皴城"})) is None
    # the respelled text must segment better: 龙村庄 -> 农村庄 breaks 村庄 and leaves 庄 alone
    assert sp.correct_run("龙村庄", _stats(cuts={"龙村庄": ["龙", "村庄"]}, known={"村庄"})) is None
    # 国佳 sounds like 国家, but here 佳 belongs to 佳节, a word of the index: 国 and 佳 stand as typed
    assert (
        sp.correct_run("祖国佳节", _stats({"佳节": 5, "祖国": 5}, cuts={"祖国佳节": ["祖国", "佳节"]}))
        is None
    )
    # the same characters, cut apart: 国佳 is respelled
    assert (
        sp.correct_run("祖国佳节", _stats({"祖国": 5}, cuts={"祖国佳节": ["祖", "国", "佳", "节"]}))
        == "祖国家节"
    )
    # a word the segmenter makes but the index does not hold (电信网) is loose: 网落 becomes 网络
    assert sp.correct_run("电信网落", _stats(cuts={"电信网落": ["电信网", "落"]})) == "电信网络"
    # ... and a word of the segmenter's dictionary is settled, although the index lacks it
    assert sp.correct_run("国佳", _stats(cuts={"国佳": ["国佳"]}, known={"国佳"})) is None
    assert sp.correct_run("国佳", _stats(cuts={"国佳": ["国佳"]})) == "国家"


@pytest.mark.parametrize(
    ("q", "changes", "expected"),
    [
        ("zhapian", [("zhapian", "诈骗")], "诈骗"),
        ("公安部 zhapian", [("zhapian", "诈骗")], "公安部 诈骗"),
        ("title:zhapian -公安", [("zhapian", "诈骗")], "title:诈骗 -公安"),
        ("(zhapian OR gab)", [("zhapian", "诈骗"), ("gab", "公安部")], "(诈骗 OR 公安部)"),
        ("zhapianx zhapian", [("zhapian", "诈骗")], "zhapianx 诈骗"),  # whole words only
        ('"zhapian"', [("zhapian", "诈骗")], None),  # a phrase is left as typed
    ],
)
def test_rewrite_replaces_whole_words(q: str, changes: list[tuple[str, str]], expected: str | None) -> None:
    assert _rewrite(q, changes) == expected


def test_only_free_words_are_respelled() -> None:
    sp = _speller()
    for q in ['"zhapian"', "-zhapian 国家", "source:zhapian"]:
        assert sp.suggest(q, parse(q), _stats()) is None, q
    assert sp.suggest("zhapian -炸骗", parse("zhapian -炸骗"), _stats()).query == "诈骗 -炸骗"  # type: ignore[union-attr]


def test_a_latin_word_the_index_holds_is_left_alone() -> None:
    sp = _speller()
    assert sp.respell("zhapian", _stats({"zhapian": 4})) is None  # 4 * PINYIN_RATIO >= 诈骗's 40
    assert sp.respell("zhapian", _stats({"zhapian": 3})) == ("诈骗", "pinyin")
    assert sp.respell("ZhaPian", _stats()) == ("诈骗", "pinyin")


# -- searches on the shipped sample --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "suggested", "reason", "total", "top"),
    [
        ("zhapian", "诈骗", "pinyin", 4, SEED),
        ("gab", "公安部", "pinyin", 1, SEED),
        ("gonganbu", "公安部", "pinyin", 1, SEED),
        ("dianxinwangluo", "电信网络", "pinyin", 1, SEED),
        ("公an部", "公安部", "pinyin", 1, SEED),
        ("公安部 zhapian", "公安部 诈骗", "pinyin", 1, SEED),
        ("炸骗", "诈骗", "sound", 4, SEED),
        ("电信网落诈骗", "电信网络诈骗", "sound", 1, SEED),
    ],
)
def test_misspelled_queries_show_what_was_meant(
    sample_searcher: Searcher, q: str, suggested: str, reason: str, total: int, top: str
) -> None:
    r = sample_searcher.search(q)
    assert (r.query, r.suggestion and r.suggestion.to_dict(), r.corrected) == (
        q,
        {"query": suggested, "reason": reason},
        True,
    )
    assert (r.total, r.relaxed, r.hits[0].id) == (total, False, top)
    assert r.total == sample_searcher.search(suggested).total


def test_the_corrected_results_mark_the_characters(sample_searcher: Searcher) -> None:
    hit = sample_searcher.search("zhapian").hits[0]
    assert hit.title_html == "公安部:坚持不懈盯着打、追着打,坚决摧毁境外<mark>诈骗</mark>窝点"
    hit = sample_searcher.search("gab").hits[0]
    assert hit.title_html == "<mark>公安部</mark>:坚持不懈盯着打、追着打,坚决摧毁境外诈骗窝点"


@pytest.mark.parametrize(
    "q",
    ["诈骗", "电信网络诈骗", "公安部", "iPhone", "APP", "china", "Playfish", "缅北", "四大家族", "Wikipedia"],
)
def test_correct_queries_are_never_changed(sample_searcher: Searcher, q: str) -> None:
    r = sample_searcher.search(q)
    assert (r.suggestion, r.corrected) == (None, False)
    assert r.total == sample_searcher.search(q, spellcheck=False).total


def test_spellcheck_off_searches_as_typed(sample_searcher: Searcher) -> None:
    r = sample_searcher.search("zhapian", spellcheck=False)
    assert (r.total, r.suggestion, r.corrected) == (0, None, False)


def test_a_slip_the_index_holds_gets_a_did_you_mean(make_index: Any) -> None:
    """炸骗 in one article, 诈骗 in thirty: that article is shown, with 您是不是要找 诈骗."""
    records = [
        {
            "id": f"f{i}",
            "title": f"警方破获诈骗案第{i}起",
            "body": "民警提醒市民防范电信诈骗。",
            "published": "2025-01-02",
        }
        for i in range(30)
    ]
    records.append({"id": "typo", "title": "一篇错字", "body": "小心炸骗分子。", "published": "2025-01-03"})
    searcher = Searcher(make_index(records), cache_size=0)
    r = searcher.search("炸骗")
    assert (r.suggestion and r.suggestion.to_dict(), r.corrected) == (
        {"query": "诈骗", "reason": "sound"},
        False,
    )
    assert [h.id for h in r.hits] == ["typo"]


def test_an_index_without_tables_searches_as_typed(tmp_path: Path) -> None:
    index = build_index([SAMPLE], tmp_path / "index")
    gen, _ = live_version(index)  # type: ignore[misc]
    (index / gen / SPELLING_FILE).unlink()
    r = Searcher(index, cache_size=0).search("zhapian")
    assert (r.total, r.suggestion, r.corrected) == (0, None, False)


def test_reindex_writes_the_tables_of_its_commit(sample_index: Path) -> None:
    gen, commit = live_version(sample_index)  # type: ignore[misc]
    data = read_spelling(sample_index / gen, commit)
    assert data is not None
    by_word = dict(zip(data.words, data.readings, strict=True))
    assert (by_word["诈骗"], by_word["公安部"]) == (("zha", "pian"), ("gong", "an", "bu"))
    assert data.chars["长"] == ("zhang", "chang") and data.chars["炸"][0] == "zha"
    assert data.df == sorted(data.df, reverse=True)
    assert read_spelling(sample_index / gen, commit + 1) is None


# -- the API and the page ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_client(sample_index: Path) -> Any:
    app = create_app({"TESTING": True, "RATE_LIMIT": "", "INDEX_DIR": str(sample_index)})
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    return app.test_client()


def test_api_carries_the_suggestion(sample_client: Any) -> None:
    body = sample_client.get("/api/search?q=zhapian").get_json()
    assert (body["query"], body["suggestion"], body["corrected"], body["total"]) == (
        "zhapian",
        {"query": "诈骗", "reason": "pinyin"},
        True,
        4,
    )
    assert body["results"][0]["id"] == SEED
    body = sample_client.get("/api/search?q=zhapian&spellcheck=0").get_json()
    assert (body["suggestion"], body["corrected"], body["total"]) == (None, False, 0)
    body = sample_client.get("/api/search?q=诈骗").get_json()
    assert (body["suggestion"], body["corrected"]) == (None, False)


def test_api_rejects_a_bad_spellcheck_value(sample_client: Any) -> None:
    resp = sample_client.get("/api/search?q=zhapian&spellcheck=maybe")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["message"] == "spellcheck: expected 0 or 1, got 'maybe'"


def test_page_says_what_it_shows(sample_client: Any) -> None:
    html = sample_client.get("/?q=zhapian").get_data(as_text=True)
    assert (
        '<p class="notice spelling corrected" role="status">已显示“<a href="/?q=%E8%AF%88%E9%AA%97">'
        "<strong>诈骗</strong></a>”的搜索结果。仍然搜索："
        '<a class="as-typed" href="/?q=zhapian&amp;spellcheck=0">zhapian</a></p>'
    ) in html
    html = sample_client.get("/?q=zhapian&spellcheck=0").get_data(as_text=True)
    assert "notice spelling" not in html and "没有找到与“<strong>zhapian</strong>”相关的文章" in html


def test_page_escapes_what_it_repeats(sample_client: Any) -> None:
    html = sample_client.get("/?q=zhapian <b>x</b>").get_data(as_text=True)
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_cli_says_what_it_shows(sample_index: Path) -> None:
    def run(*args: str) -> str:
        result = CliRunner().invoke(
            cli, ["search", "--index", str(sample_index), *args], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        return result.output

    lines = run("zhapian").splitlines()
    assert lines[1] == (
        "note: 已显示“诈骗”的搜索结果 (showing results for 诈骗, pinyin; --no-spellcheck searches zhapian as typed)"
    )
    assert lines[2].split()[2] == SEED
    as_typed = run("--no-spellcheck", "zhapian").splitlines()
    assert len(as_typed) == 1 and as_typed[0].startswith("0 results, showing none (")
    body = json.loads(run("--json", "gab"))
    assert (body["suggestion"], body["corrected"], body["results"][0]["id"]) == (
        {"query": "公安部", "reason": "pinyin"},
        True,
        SEED,
    )


def test_an_incremental_reindex_writes_the_tables_of_its_commit(tmp_path: Path) -> None:
    from indexer.writer import reindex

    source = tmp_path / "articles.jsonl"
    records = [{"id": f"a{i}", "title": f"诈骗案{i}", "body": "警方提醒防范电信诈骗。"} for i in range(3)]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    index = tmp_path / "index"
    reindex([source], index, jobs=1)
    gen, commit = live_version(index)  # type: ignore[misc]
    before = read_spelling(index / gen, commit)
    assert before is not None and "深海探测" not in before.words
    more = [{"id": f"b{i}", "title": "深海探测器", "body": "深海探测取得进展。"} for i in range(2)]
    with source.open("a", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in more)
    assert reindex([source], index, jobs=1).added == 2
    gen2, commit2 = live_version(index)  # type: ignore[misc]
    after = read_spelling(index / gen2, commit2)
    assert (gen2, commit2 > commit) == (gen, True) and after is not None
    by_word = dict(zip(after.words, after.readings, strict=True))
    assert by_word["深海"] == ("shen", "hai") and by_word["诈骗"] == ("zha", "pian")
    assert Searcher(index, cache_size=0).search("shenhai").suggestion.to_dict() == {  # type: ignore[union-attr]
        "query": "深海",
        "reason": "pinyin",
    }


def test_a_no_op_reindex_writes_tables_an_older_index_lacks(tmp_path: Path) -> None:
    from indexer.writer import reindex

    index = build_index([SAMPLE], tmp_path / "index")
    gen, commit = live_version(index)  # type: ignore[misc]
    (index / gen / SPELLING_FILE).unlink()
    assert reindex([SAMPLE], index, jobs=1).added == 0
    assert live_version(index) == (gen, commit) and read_spelling(index / gen, commit) is not None
    stamp = (index / gen / SPELLING_FILE).stat().st_mtime_ns
    reindex([SAMPLE], index, jobs=1)  # nothing to do, nothing missing: the file is left alone
    assert (index / gen / SPELLING_FILE).stat().st_mtime_ns == stamp


def test_a_long_query_is_answered_as_typed_with_a_did_you_mean(sample_searcher: Searcher) -> None:
    """A question is not respelled (its partial matches fill the page anyway, and a rare name it holds, 曹文埴
    on CMRC, is likelier than a slip): 您是不是要找 only."""
    q = "电信网落诈骗的窝点在哪里？"
    assert sample_searcher.compile(q).long
    r = sample_searcher.search(q, per_page=3)
    assert (r.suggestion and r.suggestion.to_dict(), r.corrected, r.relaxed) == (
        {"query": "电信网络诈骗的窝点在哪里?", "reason": "sound"},
        False,
        True,
    )
    assert [h.id for h in r.hits] == [
        h.id for h in sample_searcher.search(q, per_page=3, spellcheck=False).hits
    ]
    assert r.hits[0].id == SEED
