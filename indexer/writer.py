"""Building and updating the index: ``reindex()`` behind ``zhsearch reindex``.

Here: the choice between a full rebuild (a new generation beside the live one, swapped in atomically) and an
incremental update of the live generation, the lock, the commit and the suggestions written beside it. Reading
the files and deciding each article's add, update or deletion is :mod:`indexer.ingest.reading`; an article's Whoosh
document is :mod:`indexer.segments.documents` (both re-exported here: ``article_document``, ``title_date_key``,
``file_signature``, ``estimate_articles``).
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from indexer.analysis import DictEntry, dict_fingerprint
from indexer.derived.dups import DUPS_FILE, dup_threshold, write_dups
from indexer.derived.spelling import SPELLING_FILE, write_spelling
from indexer.derived.suggest import (
    SUGGEST_FILE,
    TERM_COUNTS_FILE,
    TitleChange,
    term_frequencies,
    write_suggestions,
)
from indexer.ingest.filestate import (
    FileState,
    estimate_articles,
    file_signature,
    state_from_index,
    under_paths,
)
from indexer.ingest.hygiene import KnownProblems, drop_replaced, max_body_chars
from indexer.ingest.reading import IngestRun, read_sources
from indexer.ingest.summary import NothingReadError, ReindexError, ReindexSummary, check_read
from indexer.progress import Progress
from indexer.schema import make_schema, schema_fingerprint
from indexer.segments.documents import MAX_INDEXED_CHARS, article_document, title_date_key
from indexer.segments.fastbuild import ParallelSegmentBuilder
from indexer.segments.segmentwriter import ChangeWriter
from indexer.store import (
    IndexBusyError,
    ReindexLock,
    StoreError,
    current_generation,
    generation_name,
    next_generation,
    open_generation,
    publish_generation,
    remove_stale,
)

__all__ = [
    "MAX_INDEXED_CHARS",
    "NothingReadError",
    "ReindexError",
    "ReindexSummary",
    "article_document",
    "estimate_articles",
    "file_signature",
    "reindex",
    "title_date_key",
]


def reindex(
    paths: Iterable[str | Path],
    index_dir: str | Path,
    *,
    full: bool = False,
    jobs: int | None = None,
    userdict: Sequence[DictEntry] = (),
    progress: Progress | None = None,
    log: Callable[[str], None] = lambda message: None,
    max_body: int | None = None,
) -> ReindexSummary:
    """Bring the index at ``index_dir`` up to date with the articles under ``paths``.

    Incremental by default (add new, update changed, delete gone; unchanged files are not even re-read);
    ``full=True`` builds a new generation beside the live one and swaps it in atomically. A full rebuild is
    also done when there is no index yet, or when the analysis (analyzer version, user dictionary) changed.
    Raises :class:`~indexer.store.IndexBusyError` when another reindex runs, :class:`NothingReadError` when
    nothing could be read, :class:`ReindexError` when writing failed; in every such case the live index is
    untouched. ``max_body``: characters of a body that are kept (default ``ZHSEARCH_MAX_BODY_CHARS``; 0: all).
    """
    t0 = time.monotonic()
    cap = max_body_chars(max_body)
    dup_threshold()  # a bad setting is an error before any work
    index_dir = Path(index_dir)
    paths = [Path(p) for p in paths]
    jobs = max(1, jobs or os.cpu_count() or 1)
    progress = progress or Progress()
    summary = ReindexSummary()
    created = _first_missing(index_dir)
    try:
        index_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReindexError(f"cannot create index directory {index_dir}: {exc.strerror or exc}") from None
    try:
        _reindex_locked(paths, index_dir, full, jobs, userdict, progress, summary, cap, log)
    except IndexBusyError:
        raise  # the directory is another run's now
    except BaseException:
        if created is not None:  # a first run that failed leaves nothing behind
            try:
                shutil.rmtree(created)
            except OSError as exc:
                log(f"warning: could not remove {created}, created by this run: {exc.strerror or exc}")
        raise
    summary.seconds = time.monotonic() - t0
    return summary


def _first_missing(path: Path) -> Path | None:
    """The outermost of ``path`` and its parents that does not exist yet (None: ``path`` exists)."""
    missing = None
    while not path.exists() and path != path.parent:
        missing, path = path, path.parent
    return missing


def _reindex_locked(
    paths: Sequence[Path],
    index_dir: Path,
    full: bool,
    jobs: int,
    userdict: Sequence[DictEntry],
    progress: Progress,
    summary: ReindexSummary,
    max_body: int,
    log: Callable[[str], None],
) -> None:
    lock = ReindexLock(index_dir)
    with lock:
        summary.stale_lock_pid = lock.stale_pid
        for removed in remove_stale(index_dir):
            log(f"removed leftover {removed.name}")
        try:
            live = current_generation(index_dir)
        except StoreError as exc:  # a damaged CURRENT pointer: a full rebuild replaces it
            live = None
            if not full:
                full, summary.reason = True, f"{exc}: full rebuild"
        fingerprint = dict_fingerprint(userdict)
        if not full:
            if live is None or not whoosh_index.exists_in(str(live)):
                full, summary.reason = True, "there was no index yet: a full build"
            else:
                old = schema_fingerprint(open_generation(live).schema)
                if old != fingerprint:
                    full = True
                    summary.reason = "the analysis changed (user dictionary, analyzer version or index format): full rebuild"
        try:
            if full:
                summary.mode = "full"
                _full_build(paths, index_dir, live, jobs, userdict, progress, summary, max_body, log)
            else:
                _incremental(paths, live, progress, summary, max_body, log)  # type: ignore[arg-type]
        except OSError as exc:
            raise ReindexError(
                f"writing the index failed: {exc.strerror or exc}"
                + (f" ({exc.filename})" if getattr(exc, "filename", None) else "")
                + "; the live index is unchanged"
            ) from None
        finally:
            progress.close()
        remove_stale(index_dir)


def _dups_of(gen_dir: Path, commit: int, threshold: float, previous: Path) -> int:
    """Write the near-duplicate groups of ``gen_dir`` (in a process of its own: see :func:`_write_suggestions`);
    the number of articles that are copies of another."""
    with open_generation(gen_dir).reader() as reader:
        dups = write_dups(gen_dir, reader, commit, threshold=threshold, previous=previous)
    return int((dups.group != np.arange(len(dups.group))).sum())


def _spelling_of(gen_dir: Path, df: Counter[str], commit: int, previous: Path) -> int:
    """Write the spelling tables of ``gen_dir`` (in a process of its own: see :func:`_write_suggestions`); the
    number of words they spell."""
    return len(write_spelling(gen_dir, df, commit, previous=previous).words)


def _write_suggestions(
    gen_dir: Path, log: Callable[[str], None], previous: Path | None = None, change: TitleChange | None = None
) -> None:
    """The data files of the index's latest commit, next to it: the search box's suggestions, the spelling
    tables and the near-duplicate groups (see :mod:`indexer.derived.suggest`, :mod:`indexer.derived.spelling`,
    :mod:`indexer.derived.dups`); ``previous``: the generation whose files lend their pinyin and signatures
    (default: ``gen_dir`` itself); ``change``: the titles the commit removed and added since the previous files.
    The groups are computed in another process meanwhile, and so are the spelling tables when there are previous
    suggestions to lend their pinyin (the suggestions do not need the tables then: the same keys come from the
    previous suggestions, else from pypinyin); otherwise the tables are written first and spell the terms."""
    t0 = time.monotonic()
    lender = previous or gen_dir
    try:
        ix = open_generation(gen_dir)
        commit = ix.latest_generation()
        with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
            copies = pool.submit(_dups_of, gen_dir, commit, dup_threshold(), lender / DUPS_FILE)
            with ix.reader() as reader:
                df = term_frequencies(reader, cache=gen_dir / TERM_COUNTS_FILE)
                if (lender / SUGGEST_FILE).exists():
                    spelled = pool.submit(_spelling_of, gen_dir, df, commit, lender / SPELLING_FILE)
                    data = write_suggestions(
                        gen_dir, reader, commit, previous=lender / SUGGEST_FILE, df=df, change=change
                    )
                    n_words = spelled.result()
                else:  # no suggestions to lend their pinyin: the spelling tables spell the terms first, once
                    spelling = write_spelling(gen_dir, df, commit, previous=lender / SPELLING_FILE)
                    data = write_suggestions(
                        gen_dir, reader, commit, df=df, spelled=spelling.keys(), change=change
                    )
                    n_words = len(spelling.words)
            n_copies = copies.result()
    except Exception as exc:  # noqa: BLE001 -- optional data: the index stands, the web workers build them
        log(f"warning: the suggestions were not written ({exc}); the web workers will build them")
        return
    log(
        f"suggestions: {len(data.entries):,} entries, spelling: {n_words:,} words, "
        f"near-duplicates: {n_copies:,} copies of other articles, in {time.monotonic() - t0:.1f} s"
    )


def _full_build(
    paths: Sequence[Path],
    index_dir: Path,
    live: Path | None,
    jobs: int,
    userdict: Sequence[DictEntry],
    progress: Progress,
    summary: ReindexSummary,
    max_body: int,
    log: Callable[[str], None] = lambda message: None,
) -> None:
    number = next_generation(index_dir)
    building = index_dir / (generation_name(number) + ".building")
    building.mkdir()
    try:
        whoosh_index.create_in(str(building), make_schema(userdict)).close()
        builder = ParallelSegmentBuilder(str(building), jobs)
        run = IngestRun(builder, summary, progress, {}, None, max_body, KnownProblems())  # type: ignore[arg-type]
        try:
            read_sources(run, paths)
            check_read(summary)
            summary.documents = builder.commit()
        except BaseException:
            builder.cancel()
            raise
        summary.documents -= drop_replaced(building, run.replaced)
        run.file_state(FileState(), lambda path: True).save(
            building, open_generation(building).latest_generation()
        )
        run.known.save(building)
        _write_suggestions(building, log, previous=live)
        summary.generation = publish_generation(index_dir, building, number).name
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _incremental(
    paths: Sequence[Path],
    live: Path,
    progress: Progress,
    summary: ReindexSummary,
    max_body: int,
    log: Callable[[str], None] = lambda message: None,
) -> None:
    readonly = open_generation(live)  # memory-mapped: a plain reader would copy the index into memory
    previous = FileState.load(live, readonly.latest_generation()) or state_from_index(readonly)
    within = under_paths(paths)
    searcher = readonly.searcher()
    writer = ChangeWriter(str(live))  # the full build's array writer: one new segment
    try:
        run = IngestRun(
            writer, summary, progress, previous.hashes(), searcher, max_body, KnownProblems.load(live)
        )
        read_sources(run, paths, previous)
        check_read(summary)
        deleted = set()
        for doc_id, path in previous.path_of().items():
            if doc_id in run.seen or path in run.protected_paths or not within(path):
                continue
            if writer.delete_by_id(doc_id):
                deleted.add(doc_id)
                run.writes += 1
                summary.deleted += 1
        written = {doc["id"]: doc.get("title") or "" for doc in writer.docs}  # the last line of a repeated id
        change = TitleChange(frozenset(deleted | run.dropped | written.keys()), tuple(written.items()))
    except BaseException:
        writer.cancel()
        searcher.close()
        raise
    if run.writes:
        writer.commit()
    else:
        writer.cancel()
    searcher.close()
    if run.writes:
        drop_replaced(live, run.replaced)
    run.file_state(previous, within).save(live, open_generation(live).latest_generation())
    if run.writes or not all((live / f).exists() for f in (SPELLING_FILE, DUPS_FILE)):  # files added since
        _write_suggestions(live, log, change=change if run.writes else None)
    for path in list(run.known.entries):
        if not within(path):
            run.known.keep(path)
    if run.known.fresh != run.known.entries:
        run.known.save(live)
    with open_generation(live).reader() as reader:
        summary.documents = reader.doc_count()
    summary.generation = live.name
