"""The ``posts`` relevance set of ``bench/relevance.py``: headlines against short news posts.

Closer to a news site's short posts than the ``headlines`` set (whose items are whole transcripts, the
relevant ones without a title among distractors with one): every document here is a **post**, the first
:data:`POST_MIN`-:data:`POST_MAX` characters of a short xwlb item (a body of at most :data:`SHORT_ITEM`
characters), cut after the last sentence end in that range (else at :data:`POST_MAX`), indexed **without a
title**; the queries are the editor-written titles of :data:`QUERIES` of them. Only items whose title appears
once in the corpus and is not a 国内/国际联播快讯 digest are used, as queries and as the :data:`DISTRACTORS`
other posts. Items are drawn by a salted hash of their id (another draw than the ``headlines`` set's), so the
set is the same on every machine. The corpus is read in place; the documents live under
``bench/.cache/relevance/`` (git-ignored).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

from relevance_data import CACHE, XWLB, EvalSet, Query, _file_key, half_of, is_digest

#: Queries: this many posts, each queried with its item's title.
QUERIES = 2_000
#: Other posts indexed beside them.
DISTRACTORS = 20_000
#: A short item: a body of at most this many characters (the corpus's median is 391).
SHORT_ITEM = 400
#: A post is the first POST_MIN..POST_MAX characters of the body, cut after a sentence end when there is one.
POST_MIN, POST_MAX = 100, 150
SENTENCE_ENDS = "。！？!?；"
SALT = "posts|"


def post_text(body: str) -> str:
    """The first :data:`POST_MIN`-:data:`POST_MAX` characters of ``body``, ending after the last sentence end
    in that range (else at :data:`POST_MAX`)."""
    head = body.strip()[:POST_MAX]
    cut = max(head.rfind(c, POST_MIN - 1) for c in SENTENCE_ENDS)
    return head[: cut + 1] if cut >= 0 else head


def eligible(row: dict, seen: dict[str, int]) -> bool:
    title = (row.get("title") or "").strip()
    body = (row.get("body") or "").strip()
    return bool(title) and seen[title] == 1 and not is_digest(title) and POST_MIN <= len(body) <= SHORT_ITEM


def _key() -> str:
    parts = f"{_file_key(XWLB)}|{SALT}|{QUERIES}|{DISTRACTORS}|{SHORT_ITEM}|{POST_MIN}|{POST_MAX}"
    return hashlib.blake2b(parts.encode(), digest_size=6).hexdigest()


def posts_dir() -> Path:
    out = CACHE / f"posts-{_key()}"
    if (out / ".complete").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    with gzip.open(XWLB, "rt", encoding="utf-8") as src:
        rows = [json.loads(line) for line in src if line.strip()]
    seen: dict[str, int] = {}
    for row in rows:
        title = (row.get("title") or "").strip()
        seen[title] = seen.get(title, 0) + 1
    rows = [row for row in rows if eligible(row, seen)]
    rows.sort(key=lambda row: hashlib.blake2b((SALT + row["id"]).encode(), digest_size=8).digest())
    chosen, others = rows[:QUERIES], rows[QUERIES : QUERIES + DISTRACTORS]
    with (out / "queries.jsonl").open("w", encoding="utf-8") as f:
        for row in chosen:
            query = {"id": "p-" + row["id"], "query": row["title"].strip(), "item": row["id"]}
            f.write(json.dumps(query, ensure_ascii=False) + "\n")
    with (out / "docs.jsonl").open("w", encoding="utf-8") as f:
        for row in chosen + others:
            doc = {"id": row["id"], "title": "", "body": post_text(row["body"])}
            f.write(json.dumps(doc, ensure_ascii=False) + "\n")
    (out / ".complete").write_text("ok\n")
    return out


def queries() -> list[Query]:
    with (posts_dir() / "queries.jsonl").open(encoding="utf-8") as f:
        return [Query(row["id"], row["query"], half_of(row["id"])) for row in map(json.loads, f)]


def qrels() -> dict[str, set[str]]:
    with (posts_dir() / "queries.jsonl").open(encoding="utf-8") as f:
        return {row["id"]: {row["item"]} for row in map(json.loads, f)}


POSTS_SET = EvalSet(
    "posts",
    f"{QUERIES:,} xwlb headlines against short posts (the first {POST_MIN}-{POST_MAX} characters of items of "
    f"at most {SHORT_ITEM}, no titles indexed) + {DISTRACTORS:,} other posts",
    queries,
    qrels,
    lambda: [posts_dir() / "docs.jsonl"],
    lambda: posts_dir().name,
)
