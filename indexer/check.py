"""``zhsearch check``: is the live index whole and readable?

It reads what a search would read: the ``CURRENT`` pointer, the table of contents of the live generation, every
segment file it lists, every stored article and every indexed word with its postings. A problem is a sentence
saying what is wrong and where; ``zhsearch reindex --full`` builds a new generation from the article files and
repairs any of them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from indexer.store import CURRENT, INDEX_NAME, StoreError, current_generation

_TOC_RE = re.compile(rf"^_{INDEX_NAME}_(\d+)\.toc$")


@dataclass
class CheckReport:
    """What ``check_index`` found."""

    index_dir: Path
    generation: str = ""
    commit: int = -1
    documents: int = 0
    segments: int = 0
    problems: list[str] = field(default_factory=list)
    #: There is no index at all (no directory, or no CURRENT pointer): nothing is damaged, nothing was built.
    missing: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, object]:
        return {
            "index": str(self.index_dir),
            "ok": self.ok,
            "generation": self.generation,
            "commit": self.commit,
            "documents": self.documents,
            "segments": self.segments,
            "problems": list(self.problems),
            "missing": self.missing,
        }


def segment_files(gen_dir: Path, segment_ids: list[str]) -> dict[str, list[Path]]:
    """The files of each segment, by segment id (``MAIN_xxxx``; a compound segment is one ``.seg`` file)."""
    names = os.listdir(gen_dir)
    return {sid: [gen_dir / n for n in names if n.startswith(f"{sid}.")] for sid in segment_ids}


def check_index(index_dir: str | os.PathLike[str], *, deep: bool = True) -> CheckReport:
    """Check the live generation of the index at ``index_dir``; ``deep`` also reads every article and posting."""
    from whoosh.index import TOC

    from indexer.format.mmapstore import MappedStorage

    index_dir = Path(index_dir)
    report = CheckReport(index_dir)
    try:
        gen = current_generation(index_dir)
    except (StoreError, OSError) as exc:
        report.problems.append(f"{index_dir / CURRENT}: cannot be read: {exc}")
        return report
    if gen is None:
        if (index_dir / CURRENT).exists():
            report.problems.append(f"{index_dir / CURRENT} points at a generation that does not exist")
        else:
            report.missing = True
            report.problems.append(f"no index at {index_dir} (run `zhsearch reindex` first)")
        return report
    report.generation = gen.name
    tocs = sorted(int(m.group(1)) for n in os.listdir(gen) if (m := _TOC_RE.match(n)))
    if not tocs:
        report.problems.append(
            f"{gen}: no table of contents (_{INDEX_NAME}_N.toc): the generation is incomplete"
        )
        return report
    report.commit = tocs[-1]
    storage = MappedStorage(str(gen), readonly=True)
    try:
        toc = TOC.read(storage, INDEX_NAME, gen=report.commit)
    except Exception as exc:  # whoosh raises many types on a damaged file
        report.problems.append(
            f"{gen}/_{INDEX_NAME}_{report.commit}.toc: unreadable ({type(exc).__name__}: {exc})"
        )
        return report
    segments = list(toc.segments)
    report.segments = len(segments)
    files = segment_files(gen, [s.segment_id() for s in segments])
    for seg in segments:
        sid = seg.segment_id()
        if not files[sid]:
            report.problems.append(f"{gen}: the files of segment {sid} are missing")
        elif seg.is_compound() and not (gen / f"{sid}.seg").exists():
            report.problems.append(f"{gen}/{sid}.seg: missing")
    if report.problems:
        return report
    for seg in segments:
        where = f"segment {seg.segment_id()}"
        try:
            _read_segment(storage, toc, seg, deep=deep)
        except Exception as exc:
            report.problems.append(f"{gen}: {where} is damaged ({type(exc).__name__}: {exc})")
    if not report.problems:
        report.documents = sum(s.doc_count() for s in segments)
    return report


def _read_segment(storage, toc, segment, *, deep: bool) -> None:  # type: ignore[no-untyped-def]
    from indexer.compat import open_reader

    reader = open_reader(storage, toc.schema, [segment], toc.generation)
    try:
        count = reader.doc_count_all()
        if not deep:
            return
        for docnum in range(count):
            if not reader.is_deleted(docnum):
                reader.stored_fields(docnum)
        for fieldname in reader.indexed_field_names():
            for term in reader.lexicon(fieldname):
                matcher = reader.postings(fieldname, term)
                while matcher.is_active():
                    matcher.next()
    finally:
        reader.close()
