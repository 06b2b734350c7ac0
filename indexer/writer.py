"""Building and updating the index: ``reindex()`` behind ``zhsearch reindex``."""

from __future__ import annotations

import gzip
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.query import And, Or, Term
from whoosh.writing import IndexWriter

from indexer.analysis import DictEntry, dict_fingerprint
from indexer.articles import Article
from indexer.codec import ZhCodec
from indexer.fastbuild import ParallelSegmentBuilder
from indexer.hygiene import KnownProblems, body_cut_warning, drop_replaced, max_body_chars
from indexer.loaders import Problem, load_file
from indexer.loaders.files import iter_source_files_by_root
from indexer.normalize import fold
from indexer.progress import Progress
from indexer.schema import make_schema, schema_fingerprint
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
from indexer.suggest import SUGGEST_FILE, write_suggestions
from indexer.summary import NothingReadError, ReindexError, ReindexSummary, check_read

__all__ = ["NothingReadError", "ReindexError", "ReindexSummary", "article_document", "reindex"]


def title_date_key(title: str, published: datetime | date | None) -> str:
    """The key under which a partial stub and the full article it stands for meet: folded title + day."""
    day = published.date() if isinstance(published, datetime) else published
    text = fold(" ".join(title.split())) + "|" + (day.isoformat() if day else "")
    return hashlib.blake2b(text.encode("utf-8"), digest_size=10).hexdigest()


#: Characters of a body that are analysed; a longer body (a whole book pasted into one record) is stored in full
#: and found by its first part. Analysing 50 MB takes about a minute and makes postings no query needs.
MAX_INDEXED_CHARS = 1_000_000


def article_document(article: Article, sig: str) -> dict[str, Any]:
    """The Whoosh document for an article (fields with no value are left out)."""
    indexed_body = article.body[:MAX_INDEXED_CHARS]
    doc: dict[str, Any] = {
        "id": article.id,
        "title": article.title,
        "body": indexed_body,
        "title_ng": article.title,
        "body_ng": indexed_body,
        "partial": article.partial,
        "hash": article.content_hash(),
        "path": article.path,
        "line": article.line,
        "sig": sig,
        "tdkey": title_date_key(article.title, article.published),
    }
    if len(article.body) > MAX_INDEXED_CHARS:
        doc["_stored_body"] = article.body  # Whoosh stores this value in place of the analysed one
    for name in ("url", "source", "category", "author"):
        value = getattr(article, name)
        if value:
            doc[name] = value
    published = article.published_utc()
    if published is not None:
        doc["published"] = published
        local = article.published.year if article.published else published.year
        doc["year"] = local
    if article.tags:
        doc["tags"] = ",".join(t.replace(",", " ") for t in article.tags if t)
    return doc


def _stored_date(fields: dict[str, Any]) -> date | None:
    """The local (China time) day of a stored ``published`` value."""
    value = fields.get("published")
    if not isinstance(value, datetime):
        return None
    from indexer.articles import CHINA_TZ

    return value.replace(tzinfo=UTC).astimezone(CHINA_TZ).date()


def file_signature(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


def estimate_articles(path: Path) -> int:
    """A cheap estimate of the number of articles in a file, for the progress bar's ETA."""
    name = path.name.lower()
    try:
        if name.endswith(".jsonl.gz"):
            with gzip.open(path, "rb") as fh:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) or 1
        if name.endswith(".jsonl"):
            with open(path, "rb") as fh:
                return sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b"")) or 1
    except (OSError, EOFError, gzip.BadGzipFile):
        return 1
    return 1


def _under(path: str, roots: Sequence[str]) -> bool:
    return any(path == r or path.startswith(r.rstrip(os.sep) + os.sep) for r in roots)


def _within(paths: Sequence[Path]) -> Callable[[str], bool]:
    """Whether a stored path is under one of ``paths``, both sides resolved (a path is stored as the run
    was given it, relative or not), each stored path resolved once."""
    roots = [str(p.resolve()) for p in paths]
    resolved: dict[str, bool] = {}

    def within(path: str) -> bool:
        answer = resolved.get(path)
        if answer is None:
            answer = resolved[path] = _under(str(Path(path).resolve()), roots)
        return answer

    return within


@dataclass
class _Existing:
    docnum: int
    hash: str
    path: str
    sig: str


def _existing_documents(ix: whoosh_index.Index) -> dict[str, _Existing]:
    out: dict[str, _Existing] = {}
    with ix.reader() as reader:
        if reader.doc_count_all() == 0:
            return out
        ids = reader.column_reader("id")
        hashes = reader.column_reader("hash")
        paths = reader.column_reader("path")
        sigs = reader.column_reader("sig")
        for docnum in range(reader.doc_count_all()):
            if reader.is_deleted(docnum):
                continue
            doc_id = ids[docnum]
            out[doc_id] = _Existing(docnum, hashes[docnum], paths[docnum], sigs[docnum])
    return out


class _Run:
    """State of one reindex run over the source files."""

    def __init__(
        self,
        writer: IndexWriter,
        summary: ReindexSummary,
        progress: Progress,
        existing: dict[str, _Existing],
        searcher: Any | None,
        max_body: int,
        known: KnownProblems,
    ) -> None:
        self.writer = writer
        self.summary = summary
        self.progress = progress
        self.existing = existing
        self.searcher = searcher  # over the live index (incremental runs only)
        self.seen: dict[str, str] = {}  # id -> "path:line" where this run read it
        self.full_urls: set[str] = set()
        self.full_keys: set[str] = set()
        self.stubs: list[tuple[Article, str]] = []
        self.protected_paths: set[str] = set()
        self.max_body = max_body
        self.known = known
        self.replaced: dict[str, tuple[str, int]] = {}  # id read more than once -> (path, line) of the last
        self.writes = 0
        # keys of the partial stubs in the live index, so that only a full article that matches one pays a query
        self.partial_keys: set[str] = set()
        self.partial_urls: set[str] = set()
        if searcher is not None:
            for fields in searcher.documents(partial=True):
                self.partial_keys.add(title_date_key(fields.get("title", ""), _stored_date(fields)))
                if fields.get("url"):
                    self.partial_urls.add(fields["url"])

    def warn(self, sig: str, warning: Problem) -> None:
        self.summary.add_warning(warning)
        self.known.note(sig, warning, warning=True)

    def article(self, article: Article, sig: str) -> None:
        where = f"{article.path}:{article.line}"
        line = article.line or None
        for reason, message in article.notes:
            self.warn(sig, Problem(article.path, line, reason, message))
        if self.max_body and len(article.body) > self.max_body:
            self.warn(sig, body_cut_warning(article.path, article.line, len(article.body), self.max_body))
            article.body = article.body[: self.max_body]
        if article.id in self.seen and not article.partial:
            # a later line is an update: it replaces the earlier one (removed after the commit)
            self.warn(
                sig,
                Problem(
                    article.path,
                    line,
                    "repeated id",
                    f"id {article.id!r} read again: this line replaces the one at {self.seen[article.id]}",
                ),
            )
            self.seen[article.id] = where
            self.replaced[article.id] = (article.path, article.line)
            self.writes += 1
            doc = article_document(article, sig)
            if self.searcher is None:
                self.writer.add_document(**doc)
            else:
                self.writer.update_document(**doc)
            return
        if article.partial:
            self.stubs.append((article, sig))
            return
        self.seen[article.id] = where
        key = title_date_key(article.title, article.published)
        self.full_keys.add(key)
        if article.url:
            self.full_urls.add(article.url)
        self._write(article, sig)
        if self.searcher is not None and (key in self.partial_keys or article.url in self.partial_urls):
            # a full article replaces the partial stubs that stood for it
            self.writes += 1
            clauses = [Term("tdkey", key)] + ([Term("url", article.url)] if article.url else [])
            self.writer.delete_by_query(And([Term("partial", True), Or(clauses)]), searcher=self.searcher)

    def _write(self, article: Article, sig: str) -> None:
        doc = article_document(article, sig)
        old = self.existing.get(article.id)
        if old is None:
            self.writes += 1
            self.summary.added += 1
            if self.searcher is None:
                self.writer.add_document(**doc)
            else:
                self.writer.update_document(**doc)
            return
        if old.hash == doc["hash"]:
            self.summary.unchanged += 1
            self.summary.unchanged_read += 1
            if old.path == doc["path"] and old.sig == sig:
                return
            self.writes += 1
            self.writer.update_document(**doc)  # same content, new file signature or location
            return
        self.writes += 1
        self.summary.updated += 1
        self.writer.update_document(**doc)

    def finish_stubs(self) -> None:
        for stub, sig in self.stubs:
            if stub.id in self.seen:
                continue
            key = title_date_key(stub.title, stub.published)
            if (
                key in self.full_keys
                or (stub.url and stub.url in self.full_urls)
                or self._superseded_in_index(stub, key)
            ):
                self.summary.skipped["superseded stub"] += 1
                continue
            self.seen[stub.id] = f"{stub.path}:{stub.line}"
            self._write(stub, sig)

    def _superseded_in_index(self, stub: Article, key: str) -> bool:
        if self.searcher is None:
            return False
        clauses = [Term("tdkey", key)] + ([Term("url", stub.url)] if stub.url else [])
        q = And([Term("partial", False), Or(clauses)])
        return not self.searcher.search(q, limit=1).is_empty()


def _read_sources(
    run: _Run, paths: Sequence[Path], by_path: dict[str, set[str]], ids_by_path: dict[str, list[str]]
) -> None:
    summary = run.summary
    todo: list[tuple[Path, str, str]] = []
    for root, item in iter_source_files_by_root(paths):
        if isinstance(item, Problem):
            summary.add_problem(item)
            continue
        summary.files += 1
        key = str(item)
        try:
            sig = file_signature(item)
        except OSError as exc:
            summary.add_problem(Problem(key, None, "unreadable file", str(exc)))
            run.protected_paths.add(key)
            continue
        if by_path.get(key) == {sig}:
            # unchanged file: what it holds is in the index already, what it could not give is reported again
            summary.files_unchanged += 1
            run.known.replay(key, sig, summary)
            for doc_id in ids_by_path.get(key, ()):
                run.seen[doc_id] = key
                summary.unchanged += 1
            continue
        # a saved page without a url is named by its path under the directory given (its id stays when edited)
        name = item.relative_to(root).as_posix() if item != root else item.name
        todo.append((item, sig, name))
    estimate = sum(estimate_articles(p) for p, _, _ in todo) if todo else 0
    if hasattr(run.writer, "plan"):
        run.writer.plan(estimate)
    run.progress.start(estimate)
    for path, sig, name in todo:
        key = str(path)
        problems_before = sum(summary.skipped.values())
        articles = 0
        for rec in load_file(path, name):
            if isinstance(rec, Problem):
                summary.add_problem(rec)
                run.known.note(sig, rec, warning=False)
                continue
            rec.path = key
            articles += 1
            run.article(rec, sig)
            run.progress.advance()
        if sum(summary.skipped.values()) != problems_before:
            # a file with broken parts keeps what it had in the index for what could not be read now
            run.protected_paths.add(key)
        elif not articles:
            # an empty file: named in the summary, and what it held before is deleted (it is not protected)
            empty = Problem(key, None, "empty file", "no articles in it")
            summary.add_problem(empty)
            run.known.note(sig, empty, warning=False)
    run.finish_stubs()


def reindex(
    paths: Iterable[str | Path],
    index_dir: str | Path,
    *,
    full: bool = False,
    jobs: int | None = None,
    userdict: Sequence[DictEntry] = (),
    progress: Progress | None = None,
    log: Callable[[str], None] = lambda message: None,
    limitmb: int = 256,
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
        _reindex_locked(paths, index_dir, full, jobs, userdict, progress, summary, limitmb, cap, log)
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
    limitmb: int,
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
                full, summary.reason = True, "no index yet"
            else:
                old = schema_fingerprint(open_generation(live).schema)
                if old != fingerprint:
                    full = True
                    summary.reason = "the analysis changed (user dictionary, analyzer version or index format): full rebuild"
        try:
            if full:
                summary.mode = "full"
                _full_build(paths, index_dir, live, jobs, userdict, progress, summary, limitmb, max_body, log)
            else:
                _incremental(paths, live, jobs, progress, summary, limitmb, max_body, log)  # type: ignore[arg-type]
        except OSError as exc:
            raise ReindexError(
                f"writing the index failed: {exc.strerror or exc}"
                + (f" ({exc.filename})" if getattr(exc, "filename", None) else "")
                + "; the live index is unchanged"
            ) from None
        finally:
            progress.close()
        remove_stale(index_dir)


def _writer(ix: whoosh_index.Index, jobs: int, limitmb: int, *, multisegment: bool) -> IndexWriter:
    if jobs > 1:
        return ix.writer(
            procs=jobs, multisegment=multisegment, limitmb=limitmb, batchsize=256, codec=ZhCodec()
        )
    return ix.writer(limitmb=limitmb, codec=ZhCodec())


def _write_suggestions(gen_dir: Path, log: Callable[[str], None], previous: Path | None = None) -> None:
    """The search box's suggestions for the index's latest commit, next to it (see :mod:`indexer.suggest`);
    ``previous``: the generation whose suggestions lend their pinyin (default: ``gen_dir`` itself)."""
    t0 = time.monotonic()
    try:
        ix = open_generation(gen_dir)
        with ix.reader() as reader:
            data = write_suggestions(
                gen_dir, reader, ix.latest_generation(), previous=(previous or gen_dir) / SUGGEST_FILE
            )
    except Exception as exc:  # noqa: BLE001 -- optional data: the index stands, the web workers build them
        log(f"warning: the suggestions were not written ({exc}); the web workers will build them")
        return
    log(f"suggestions: {len(data.entries):,} entries in {time.monotonic() - t0:.1f} s")


def _full_build(
    paths: Sequence[Path],
    index_dir: Path,
    live: Path | None,
    jobs: int,
    userdict: Sequence[DictEntry],
    progress: Progress,
    summary: ReindexSummary,
    limitmb: int,
    max_body: int,
    log: Callable[[str], None] = lambda message: None,
) -> None:
    number = next_generation(index_dir)
    building = index_dir / (generation_name(number) + ".building")
    building.mkdir()
    try:
        whoosh_index.create_in(str(building), make_schema(userdict)).close()
        builder = ParallelSegmentBuilder(str(building), jobs)
        run = _Run(builder, summary, progress, {}, None, max_body, KnownProblems())  # type: ignore[arg-type]
        try:
            _read_sources(run, paths, {}, {})
            check_read(summary)
            summary.documents = builder.commit()
        except BaseException:
            builder.cancel()
            raise
        summary.documents -= drop_replaced(building, run.replaced)
        run.known.save(building)
        _write_suggestions(building, log, previous=live)
        summary.generation = publish_generation(index_dir, building, number).name
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise


def _incremental(
    paths: Sequence[Path],
    live: Path,
    jobs: int,
    progress: Progress,
    summary: ReindexSummary,
    limitmb: int,
    max_body: int,
    log: Callable[[str], None] = lambda message: None,
) -> None:
    ix = whoosh_index.open_dir(str(live))
    readonly = open_generation(live)  # memory-mapped: a plain reader would copy the index into memory
    existing = _existing_documents(readonly)
    by_path: dict[str, set[str]] = {}
    ids_by_path: dict[str, list[str]] = {}
    for doc_id, ex in existing.items():
        by_path.setdefault(ex.path, set()).add(ex.sig)
        ids_by_path.setdefault(ex.path, []).append(doc_id)
    within = _within(paths)
    searcher = readonly.searcher()
    writer = _writer(ix, jobs, limitmb, multisegment=False)
    try:
        run = _Run(writer, summary, progress, existing, searcher, max_body, KnownProblems.load(live))
        _read_sources(run, paths, by_path, ids_by_path)
        check_read(summary)
        for doc_id, ex in existing.items():
            if doc_id in run.seen or ex.path in run.protected_paths or not within(ex.path):
                continue
            writer.delete_document(ex.docnum)
            run.writes += 1
            summary.deleted += 1
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
        _write_suggestions(live, log)
    for path in list(run.known.entries):
        if not within(path):
            run.known.keep(path)
    if run.known.fresh != run.known.entries:
        run.known.save(live)
    with open_generation(live).reader() as reader:
        summary.documents = reader.doc_count()
    summary.generation = live.name
