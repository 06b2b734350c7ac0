"""The bytes of each part of an index's segments: postings, term dictionary, stored fields, other columns.

    .venv/bin/python -m bench.segment_sizes INDEX_DIR [--terms] [--json]

``INDEX_DIR`` is a Whoosh index directory, or a zhsearch index directory (its live generation is read). Parts
by file: postings ``.pst``; term dictionary ``.trm`` (W3's hash table) or ``.tdc`` (:mod:`indexer.format.termdict`);
stored fields ``_stored.col`` (W3's column) or ``.stb`` (:mod:`indexer.format.storedblocks`); field lengths
``_<field>_len.col``; the other columns; anything else. ``--terms`` also counts each segment's terms (reading
the whole dictionary) for the term dictionary's bytes per term.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import FileStorage

PARTS = ("postings", "termdict", "stored", "lengths", "columns", "other")
_LENGTHS = re.compile(r"\._.+_len\.col$")


def part_of(name: str) -> str:
    """Which part of a segment the file ``name`` is."""
    if name.endswith(".pst"):
        return "postings"
    if name.endswith((".trm", ".tdc")):
        return "termdict"
    if name.endswith(("._stored.col", ".stb")):
        return "stored"
    if _LENGTHS.search(name):
        return "lengths"
    if name.endswith(".col"):
        return "columns"
    return "other"


def _index_dir(path: Path) -> Path:
    if any(path.glob("_*.toc")):
        return path
    from indexer.store import current_generation

    gen = current_generation(path)
    if gen is None:
        raise SystemExit(f"{path}: neither a Whoosh index nor a zhsearch index directory")
    return gen


def segment_sizes(path: Path, *, count_terms: bool = False) -> list[dict[str, Any]]:
    """Per segment: id, codec, documents, bytes per part (and terms, with ``count_terms``)."""
    storage = FileStorage(str(_index_dir(path)))
    ix = storage.open_index()
    rows = []
    with ix.reader() as reader:
        for leaf, _base in reader.leaf_readers():
            seg = leaf.segment()
            sizes: Counter[str] = Counter()
            if seg.is_compound():
                parts = CompoundStorage(storage.open_file(seg.make_filename(seg.COMPOUND_EXT)))
                for name in parts.list():
                    sizes[part_of(name)] += parts.file_length(name)
                parts.close()
            else:
                for name in seg.list_files(storage):
                    sizes[part_of(name)] += storage.file_length(name)
            row: dict[str, Any] = {
                "segment": seg.segment_id(),
                "codec": type(seg.codec()).__name__,
                "docs": seg.doc_count_all(),
                **{part: sizes[part] for part in PARTS},
                "total": sum(sizes.values()),
            }
            if count_terms:
                row["terms"] = sum(1 for _ in leaf.all_terms())
            rows.append(row)
    return rows


def _table(rows: list[dict[str, Any]]) -> str:
    keys = ["segment", "codec", "docs", *(["terms"] if rows and "terms" in rows[0] else []), *PARTS, "total"]
    total: dict[str, Any] = {k: sum(r[k] for r in rows) for k in keys if k not in ("segment", "codec")}
    total.update(segment="all", codec="")
    lines = ["\t".join(keys)]
    for row in [*rows, total]:
        lines.append("\t".join(f"{row[k]:,}" if isinstance(row[k], int) else str(row[k]) for k in keys))
    if "terms" in total and total["terms"]:
        lines.append(f"term dictionary: {total['termdict'] / total['terms']:.1f} bytes a term")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "index", type=Path, help="an index directory (Whoosh's, or zhsearch's with generations)"
    )
    parser.add_argument("--terms", action="store_true", help="count each segment's terms (bytes per term)")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON instead of a table")
    args = parser.parse_args(argv)
    rows = segment_sizes(args.index, count_terms=args.terms)
    print(json.dumps(rows, indent=2) if args.json else _table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
