"""The relevance set of ``bench/relevance.py``: CMRC 2018 questions over their passages plus xwlb distractors.

Nothing here is committed: the distractor slice and the indexes live under ``bench/.cache/relevance/``
(git-ignored), keyed on what they are built from, so that tuning runs reuse them and ``make relevance``
rebuilds only when the analysis (analyzer version, segmenter, stop words, user dictionary) or the corpus
changed.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import shutil
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CMRC = SHARED / "eval" / "cmrc2018"
XWLB = SHARED / "corpora" / "xwlb" / "articles.jsonl.gz"
CACHE = ROOT / "bench" / ".cache" / "relevance"
USERDICT = ROOT / "index_data" / "userdict.txt"
#: Distractors: the first this many xwlb items.
DISTRACTORS = 20_000


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


def documents() -> Iterator[dict[str, str]]:
    """Every document of the set (passages first, then distractors) as id/title/body."""
    for path in (CMRC / "articles.jsonl", distractors()):
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    row = json.loads(line)
                    yield {"id": row["id"], "title": row.get("title") or "", "body": row.get("body") or ""}


def corpus_key() -> str:
    return hashlib.blake2b(
        f"{_file_key(CMRC / 'articles.jsonl')}|{_file_key(XWLB)}|{DISTRACTORS}".encode(), digest_size=6
    ).hexdigest()


def project_index(log=print) -> Path:  # type: ignore[no-untyped-def]
    """The project's index of the set (built with ``reindex`` once per analysis fingerprint and corpus)."""
    from indexer.analysis import dict_fingerprint, read_userdict
    from indexer.writer import reindex

    userdict = read_userdict(USERDICT)
    index_dir = CACHE / f"index-{dict_fingerprint(userdict)}-{corpus_key()}"
    done = index_dir / ".complete"
    if done.exists():
        return index_dir
    if index_dir.exists():
        shutil.rmtree(index_dir)
    paths = [CMRC / "articles.jsonl", distractors()]
    log(f"building the project index of {DISTRACTORS + 1104:,} documents in {index_dir} (a few minutes) ...")
    summary = reindex(paths, index_dir, full=True, jobs=2, userdict=userdict)
    log(f"  {summary.documents:,} documents in {summary.seconds:.0f} s")
    done.write_text("ok\n")
    return index_dir
