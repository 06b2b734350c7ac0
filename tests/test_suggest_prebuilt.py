"""``reindex`` writes the search box's suggestions next to each commit; web workers load them instead of
building them (and never import pypinyin)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from web_fixtures import CORPUS, TEST_CONFIG, write_corpus

from indexer.derived.suggest import DEFAULT_TERMS, DEFAULT_TITLES, SUGGEST_FILE, build_data, read_suggestions
from indexer.store import live_version, open_generation
from indexer.writer import reindex
from web import create_app

REPO = Path(__file__).resolve().parent.parent


def _index(tmp_path: Path, articles: list[dict] = CORPUS) -> tuple[Path, Path]:
    source = write_corpus(tmp_path / "articles", articles)
    index_dir = tmp_path / "index"
    reindex([source], index_dir, jobs=1)
    return source, index_dir


def _add(tmp_path: Path, source: Path, index_dir: Path, n: int, title: str, body: str) -> int:
    """Add one article to the corpus file and reindex incrementally; the number of articles added."""
    new = {"id": f"new-{n}", "title": title, "body": body, "published": f"2025-03-{n:02d}"}
    write_corpus(tmp_path / "articles", [*CORPUS, new])
    return reindex([source], index_dir, jobs=1).added


def _live(index_dir: Path) -> tuple[Path, int]:
    gen, commit = live_version(index_dir)  # type: ignore[misc]
    return index_dir / gen, commit


def test_full_and_incremental_reindex_write_the_suggestions_of_their_commit(tmp_path: Path) -> None:
    source, index_dir = _index(tmp_path)
    gen_dir, commit = _live(index_dir)
    data = read_suggestions(gen_dir, commit, max_terms=DEFAULT_TERMS, max_titles=DEFAULT_TITLES)
    assert data is not None
    with open_generation(gen_dir).reader() as reader:
        assert data == build_data(reader)
    assert {"公安部"} <= {e.text for e in data.entries if e.kind == "term"}

    # a no-op reindex commits nothing and leaves the file alone
    stamp = (gen_dir / SUGGEST_FILE).stat().st_mtime_ns
    assert reindex([source], index_dir, jobs=1).added == 0
    assert (gen_dir / SUGGEST_FILE).stat().st_mtime_ns == stamp

    # an article added: a new commit, and its title among the suggestions of that commit
    assert _add(tmp_path, source, index_dir, 1, "深海探测器完成万米下潜", "深海探测器今天完成万米下潜。") == 1
    gen_dir2, commit2 = _live(index_dir)
    assert (gen_dir2, commit2 != commit) == (gen_dir, True)
    assert read_suggestions(gen_dir, commit, max_terms=DEFAULT_TERMS, max_titles=DEFAULT_TITLES) is None
    data2 = read_suggestions(gen_dir2, commit2, max_terms=DEFAULT_TERMS, max_titles=DEFAULT_TITLES)
    assert data2 is not None and "深海探测器完成万米下潜" in {
        e.text for e in data2.entries if e.kind == "title"
    }


def test_the_web_app_loads_them_and_builds_only_when_it_must(tmp_path: Path) -> None:
    _, index_dir = _index(tmp_path)
    app = create_app({**TEST_CONFIG, "INDEX_DIR": str(index_dir)})
    expected = app.test_client().get("/api/suggest?q=gab").get_json()
    cache = _engine(app).suggestions
    assert (cache.loaded, cache.built) == (1, 0)
    assert expected["suggestions"][0] == {"text": "公安部", "kind": "term"}

    # other sizes than reindex wrote: built here, same answers for what both hold
    small = create_app({**TEST_CONFIG, "INDEX_DIR": str(index_dir), "SUGGEST_TERMS": 5})
    small.test_client().get("/api/suggest?q=gab")
    assert (_engine(small).suggestions.loaded, _engine(small).suggestions.built) == (0, 1)

    # a damaged file: built here, and still answers
    gen_dir, _ = _live(index_dir)
    (gen_dir / SUGGEST_FILE).write_bytes(b"not a pickle")
    damaged = create_app({**TEST_CONFIG, "INDEX_DIR": str(index_dir)})
    assert damaged.test_client().get("/api/suggest?q=gab").get_json() == expected
    assert _engine(damaged).suggestions.built == 1


def test_a_worker_serving_prebuilt_suggestions_and_spelling_never_imports_pypinyin(tmp_path: Path) -> None:
    _, index_dir = _index(tmp_path)
    code = (
        "import json, sys\n"
        "from web import create_app\n"
        f"app = create_app({{'TESTING': True, 'RATE_LIMIT': '', 'INDEX_DIR': {str(index_dir)!r}}})\n"
        "body = app.test_client().get('/api/suggest?q=gonganbu').get_json()\n"
        "found = app.test_client().get('/api/search?q=gonganbu').get_json()\n"
        "print(json.dumps({'first': body['suggestions'][0]['text'], 'spelled': found['suggestion']['query'],\n"
        "                  'pypinyin': 'pypinyin' in sys.modules}))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True, cwd=REPO
    )
    assert json.loads(out.stdout.strip().splitlines()[-1]) == {
        "first": "公安部",
        "spelled": "公安部",
        "pypinyin": False,
    }


def _engine(app):  # type: ignore[no-untyped-def]
    return app.extensions["zhsearch"].engine


def test_a_reindex_spells_only_what_is_new(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """pypinyin is the cost of the suggestions: the previous commit's spellings are reused, and the result is
    the same as spelling everything."""
    import indexer.derived.suggest as suggest

    calls: list[str] = []
    keys = suggest._Pinyin.keys
    monkeypatch.setattr(suggest._Pinyin, "keys", lambda self, text: calls.append(text) or keys(self, text))
    source, index_dir = _index(tmp_path)
    first = len(calls)
    assert first > 20
    calls.clear()
    title, body = "雪龙号抵达南极", "雪龙号今天抵达南极中山站。"
    assert _add(tmp_path, source, index_dir, 2, title, body) == 1
    gen_dir, commit = _live(index_dir)
    got = read_suggestions(gen_dir, commit, max_terms=DEFAULT_TERMS, max_titles=DEFAULT_TITLES)
    assert got is not None
    # only texts of the new article were spelled: its title and words no other article has
    assert "雪龙号抵达南极" in calls and len(calls) < 10 < first
    assert all(text in title + body for text in calls), calls
    with open_generation(gen_dir).reader() as reader:
        assert got == build_data(reader)


def test_a_new_commit_without_its_suggestions_yet_keeps_the_previous_table(
    tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """reindex commits, then writes that commit's suggestions: meanwhile a worker serves the previous table
    instead of building one; only a version whose data never comes is built here (after the grace time)."""
    import web.suggest

    source, index_dir = _index(tmp_path)
    app = create_app({**TEST_CONFIG, "INDEX_DIR": str(index_dir)})
    client = app.test_client()
    cache = _engine(app).suggestions
    assert client.get("/api/suggest?q=gab").get_json()["suggestions"][0]["text"] == "公安部"
    assert _add(tmp_path, source, index_dir, 3, "嫦娥六号返回地球", "嫦娥六号返回地球。") == 1
    gen_dir, _ = _live(index_dir)
    (gen_dir / SUGGEST_FILE).unlink()  # as if the reindex had not written it yet
    assert client.get("/api/suggest?q=嫦娥").get_json()["suggestions"] == []  # the previous table
    assert (cache.loaded, cache.built) == (1, 0)
    monkeypatch.setattr(web.suggest, "PREBUILT_GRACE", 0.0)
    texts = [s["text"] for s in client.get("/api/suggest?q=嫦娥").get_json()["suggestions"]]
    assert "嫦娥六号返回地球" in texts and (cache.loaded, cache.built) == (1, 1)


def test_suggestions_that_cannot_be_written_do_not_fail_the_reindex(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import indexer.writer

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(indexer.writer, "write_suggestions", broken)
    messages: list[str] = []
    source = write_corpus(tmp_path / "articles", CORPUS)
    summary = reindex([source], tmp_path / "index", jobs=1, log=messages.append)
    assert summary.documents == len(CORPUS) and summary.generation == "gen-000001"
    assert any("suggestions were not written" in m and "No space left" in m for m in messages), messages
    gen_dir, commit = _live(tmp_path / "index")
    assert not (gen_dir / SUGGEST_FILE).exists()
    app = create_app({**TEST_CONFIG, "INDEX_DIR": str(tmp_path / "index")})
    assert app.test_client().get("/api/suggest?q=gab").get_json()["suggestions"][0]["text"] == "公安部"
