"""The relevance sets of ``bench/relevance.py`` (:data:`SETS`), each a set of queries over documents:

* ``cmrc``: the CMRC 2018 questions over their Wikipedia passages, the first :data:`DISTRACTORS` xwlb news
  items indexed beside them as distractors;
* ``headlines``: xwlb news headlines against the items they head. :data:`HEADLINES` items with a title found
  once in the corpus (not the 国内/国际联播快讯 digests, whose titles say nothing of their content) are
  indexed *without* their titles and queried with them; :data:`DISTRACTORS` other items (with titles) are
  indexed beside them. Both are drawn by a hash of the item id, so the set is the same on every machine.

Nothing here is committed: the documents and the indexes live under ``bench/.cache/relevance/`` (git-ignored),
keyed on what they are built from, so that tuning runs reuse them and ``make relevance`` rebuilds only when
the analysis (analyzer version, segmenter, stop words, user dictionary) or the corpus changed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CMRC = SHARED / "eval" / "cmrc2018"
XWLB = SHARED / "corpora" / "xwlb" / "articles.jsonl.gz"
CACHE = ROOT / "bench" / ".cache" / "relevance"
USERDICT = ROOT / "index_data" / "userdict.txt"
#: Distractors: the first this many xwlb items (cmrc); this many other items (headlines).
DISTRACTORS = 20_000
#: Headline queries: this many items, each queried with its title and indexed without it.
HEADLINES = 2_000
#: A headline item's body has at least this many characters.
HEADLINE_MIN_BODY = 20


@dataclass(frozen=True)
class Query:
    id: str
    text: str
    half: str  # "tuning" or "reporting"


def half_of(query_id: str) -> str:
    """The half a question belongs to, by a stable hash of its id (about 50/50)."""
    return "tuning" if zlib.crc32(query_id.encode("utf-8")) % 2 == 0 else "reporting"


def available() -> bool:
    return (CMRC / "queries.jsonl").is_file() and XWLB.is_file()


def load_queries() -> list[Query]:
    out = []
    with (CMRC / "queries.jsonl").open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                row = json.loads(line)
                out.append(Query(row["id"], row["query"], half_of(row["id"])))
    return out


def load_qrels() -> dict[str, set[str]]:
    qrels: dict[str, set[str]] = {}
    with (CMRC / "qrels.tsv").open(encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 4 and int(parts[3]) > 0:
                qrels.setdefault(parts[0], set()).add(parts[2])
    return qrels


def _file_key(path: Path) -> str:
    st = path.stat()
    return f"{path.name}:{st.st_size}:{int(st.st_mtime)}"


def distractors() -> Path:
    """The first :data:`DISTRACTORS` xwlb items (id, title, body) as a JSONL file in the cache."""
    key = hashlib.blake2b(f"{_file_key(XWLB)}|{DISTRACTORS}".encode(), digest_size=6).hexdigest()
    out = CACHE / f"xwlb-{DISTRACTORS}-{key}" / "xwlb.jsonl"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    with gzip.open(XWLB, "rt", encoding="utf-8") as src, tmp.open("w", encoding="utf-8") as dst:
        for n, line in enumerate(src):
            if n >= DISTRACTORS:
                break
            row = json.loads(line)
            item = {"id": row["id"], "title": row.get("title") or "", "body": row.get("body") or ""}
            dst.write(json.dumps(item, ensure_ascii=False) + "\n")
    tmp.rename(out)
    return out


def corpus_key() -> str:
    return hashlib.blake2b(
        f"{_file_key(CMRC / 'articles.jsonl')}|{_file_key(XWLB)}|{DISTRACTORS}".encode(), digest_size=6
    ).hexdigest()


# -- headlines -----------------------------------------------------------------------------------------------


def _id_hash(item_id: str) -> bytes:
    return hashlib.blake2b(item_id.encode("utf-8"), digest_size=8).digest()


def is_digest(title: str) -> bool:
    """A 联播快讯 digest (国内/国际联播快讯): several short items under one title that names none of them."""
    return "联播快讯" in title


def headlines_dir() -> Path:
    key = hashlib.blake2b(
        f"{_file_key(XWLB)}|{HEADLINES}|{DISTRACTORS}|{HEADLINE_MIN_BODY}".encode(), digest_size=6
    ).hexdigest()
    out = CACHE / f"headlines-{key}"
    if (out / ".complete").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    with gzip.open(XWLB, "rt", encoding="utf-8") as src:
        rows = [json.loads(line) for line in src if line.strip()]
    seen: dict[str, int] = {}
    for row in rows:
        title = (row.get("title") or "").strip()
        seen[title] = seen.get(title, 0) + 1
    rows.sort(key=lambda row: _id_hash(row["id"]))
    chosen: list[dict] = []
    others: list[dict] = []
    for row in rows:
        title = (row.get("title") or "").strip()
        body = row.get("body") or ""
        if (
            len(chosen) < HEADLINES
            and title
            and seen[title] == 1
            and not is_digest(title)
            and len(body) >= HEADLINE_MIN_BODY
        ):
            chosen.append(row)
        elif len(others) < DISTRACTORS:
            others.append(row)
    with (out / "queries.jsonl").open("w", encoding="utf-8") as f:
        for row in chosen:
            query = {"id": "h-" + row["id"], "query": row["title"].strip(), "item": row["id"]}
            f.write(json.dumps(query, ensure_ascii=False) + "\n")
    with (out / "docs.jsonl").open("w", encoding="utf-8") as f:
        for row in chosen:  # indexed without the title the query is
            f.write(
                json.dumps({"id": row["id"], "title": "", "body": row["body"]}, ensure_ascii=False) + "\n"
            )
        for row in others:
            item = {"id": row["id"], "title": row.get("title") or "", "body": row.get("body") or ""}
            f.write(json.dumps(item, ensure_ascii=False) + "\n")
    (out / ".complete").write_text("ok\n")
    return out


def headline_queries() -> list[Query]:
    out = []
    with (headlines_dir() / "queries.jsonl").open(encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            out.append(Query(row["id"], row["query"], half_of(row["id"])))
    return out


def headline_qrels() -> dict[str, set[str]]:
    with (headlines_dir() / "queries.jsonl").open(encoding="utf-8") as f:
        return {row["id"]: {row["item"]} for row in map(json.loads, f)}


# -- the sets ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvalSet:
    """One relevance set: its queries, their relevant documents and the documents indexed."""

    name: str
    description: str
    queries: Callable[[], list[Query]]
    qrels: Callable[[], dict[str, set[str]]]
    files: Callable[[], list[Path]]
    key: Callable[[], str]

    def documents(self) -> Iterator[dict[str, str]]:
        """Every document of the set as id/title/body."""
        for path in self.files():
            with path.open(encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        row = json.loads(line)
                        yield {
                            "id": row["id"],
                            "title": row.get("title") or "",
                            "body": row.get("body") or "",
                        }


CMRC_SET = EvalSet(
    "cmrc",
    f"CMRC 2018 questions over their 1,104 Wikipedia passages + the first {DISTRACTORS:,} xwlb items",
    load_queries,
    load_qrels,
    lambda: [CMRC / "articles.jsonl", distractors()],
    corpus_key,
)
HEADLINES_SET = EvalSet(
    "headlines",
    f"{HEADLINES:,} xwlb headlines against their items (indexed without the title) + {DISTRACTORS:,} other items",
    headline_queries,
    headline_qrels,
    lambda: [headlines_dir() / "docs.jsonl"],
    lambda: headlines_dir().name,
)
SETS = {s.name: s for s in (CMRC_SET, HEADLINES_SET)}


def project_index(log=print, which: EvalSet = CMRC_SET) -> Path:  # type: ignore[no-untyped-def]
    """The project's index of a set (built with ``reindex`` once per analysis fingerprint and corpus)."""
    from indexer.analysis import dict_fingerprint, read_userdict
    from indexer.writer import reindex

    userdict = read_userdict(USERDICT)
    prefix = "index" if which is CMRC_SET else f"index-{which.name}"
    index_dir = CACHE / f"{prefix}-{dict_fingerprint(userdict)}-{which.key()}"
    done = index_dir / ".complete"
    if done.exists():
        return index_dir
    if index_dir.exists():
        shutil.rmtree(index_dir)
    paths = which.files()
    log(f"building the project index of the {which.name} set in {index_dir} (a few minutes) ...")
    summary = reindex(paths, index_dir, full=True, jobs=2, userdict=userdict)
    log(f"  {summary.documents:,} documents in {summary.seconds:.0f} s")
    done.write_text("ok\n")
    return index_dir
