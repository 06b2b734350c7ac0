"""Reading the source files into an index writer: what changed, and each article's add, update or replacement.

A reindex (full or incremental, :mod:`indexer.writer`) reads its paths through :func:`read_sources`: a file
whose signature (size, mtime) is the one in the index is not re-read, the others are loaded article by article
into an :class:`IngestRun`, which adds new articles, updates changed ones, lets a later line with the same id
replace an earlier one, and drops partial stubs that a full article stands for; :meth:`IngestRun.file_state`
is what the run leaves for the next one (:mod:`indexer.ingest.filestate`). What the live index records when no file
state can be trusted, and whether a stored path is under this run's paths, are in :mod:`indexer.ingest.filestate`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from whoosh.query import And, Or, Term
from whoosh.writing import IndexWriter

from indexer.articles import Article
from indexer.ingest.filestate import FileEntry, FileState, estimate_articles, file_signature
from indexer.ingest.hygiene import KnownProblems, body_cut_warning
from indexer.ingest.loaders import KnownLine, KnownLines, Problem, load_file
from indexer.ingest.loaders.files import iter_source_files_by_root
from indexer.ingest.summary import ReindexSummary
from indexer.progress import Progress
from indexer.segments.documents import article_document, stored_date, title_date_key

__all__ = ["IngestRun", "read_sources"]


class IngestRun:
    """State of one reindex run over the source files: :meth:`article` takes each article read,
    :meth:`finish_stubs` the partial stubs no full article stood for."""

    def __init__(
        self,
        writer: IndexWriter,
        summary: ReindexSummary,
        progress: Progress,
        existing: Mapping[str, str],
        searcher: Any | None,
        max_body: int,
        known: KnownProblems,
    ) -> None:
        self.writer = writer
        self.summary = summary
        self.progress = progress
        self.existing = existing  # id -> content hash of what the index holds
        self.searcher = searcher  # over the live index (incremental runs only)
        self.seen: dict[str, str] = {}  # id -> "path:line" where this run read it
        self.full_urls: set[str] = set()
        self.full_titles: list[tuple[str, Any]] = []  # (title, published) of the full articles read
        self.stubs: list[tuple[Article, str]] = []
        self.protected_paths: set[str] = set()
        self.max_body = max_body
        self.known = known
        self.replaced: dict[str, tuple[str, int]] = {}  # id read more than once -> (path, line) of the last
        self.file_sigs: dict[str, str] = {}  # every file of the run (read or unchanged) -> its signature
        self.id_path: dict[str, str] = {}  # every id of the run -> the file it was last read from
        self.id_hash: dict[str, str] = {}  # every id of the run -> its content hash
        self.id_line: dict[str, str] = {}  # ids read from a JSON line without a warning -> the line's digest
        self.dropped: set[str] = set()  # ids of the partial stubs that full articles replaced
        self.writes = 0
        # keys of the partial stubs in the live index, so that only a full article that matches one pays a query
        self.partial_keys: set[str] = set()
        self.partial_urls: set[str] = set()
        if searcher is not None:
            for fields in searcher.documents(partial=True):
                self.partial_keys.add(title_date_key(fields.get("title", ""), stored_date(fields)))
                if fields.get("url"):
                    self.partial_urls.add(fields["url"])

    def warn(self, sig: str, warning: Problem) -> None:
        self.summary.add_warning(warning)
        self.known.note(sig, warning, warning=True)

    def known_line(self, known: KnownLine) -> None:
        """A JSON line read before, unchanged: its article is in the index as it is."""
        self.seen[known.id] = f"{known.path}:{known.line}"
        self.id_path[known.id] = known.path
        self.id_hash[known.id] = self.existing[known.id]
        self.id_line[known.id] = known.digest
        self.summary.unchanged += 1
        self.summary.unchanged_read += 1

    def known_lines(self, lines: KnownLines) -> list[KnownLine]:
        """:meth:`known_line` for a run of lines at once; the lines whose id this run has read already (a
        repeated id) are given back, in order, to be read again as any line."""
        again: list[KnownLine] = []
        seen, id_path, id_hash, id_line, existing = (
            self.seen,
            self.id_path,
            self.id_hash,
            self.id_line,
            self.existing,
        )
        path = lines.path
        for k, (doc_id, number, digest) in enumerate(zip(lines.ids, lines.lines, lines.digests, strict=True)):
            if doc_id in seen:
                again.append(lines.line(k))
                continue
            seen[doc_id] = f"{path}:{number}"
            id_path[doc_id] = path
            id_hash[doc_id] = existing[doc_id]
            id_line[doc_id] = digest
        read = len(lines) - len(again)
        self.summary.unchanged += read
        self.summary.unchanged_read += read
        return again

    def article(self, article: Article, sig: str) -> None:
        self.id_line.pop(article.id, None)
        clean = not article.notes and not (self.max_body and len(article.body) > self.max_body)
        self._article(article, sig)
        if clean and article.line_digest and not article.partial and article.id not in self.replaced:
            self.id_line[article.id] = article.line_digest

    def _article(self, article: Article, sig: str) -> None:
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
            self.id_path[article.id] = article.path
            self.replaced[article.id] = (article.path, article.line)
            self.writes += 1
            content_hash = self.id_hash[article.id] = article.content_hash()
            doc = article_document(article, sig, content_hash)
            if self.searcher is None:
                self.writer.add_document(**doc)
            else:
                self.writer.update_document(**doc)
            return
        if article.partial:
            self.stubs.append((article, sig))
            return
        self.seen[article.id] = where
        self.id_path[article.id] = article.path
        self.full_titles.append((article.title, article.published))
        if article.url:
            self.full_urls.add(article.url)
        self._write(article, sig)
        if self.partial_keys or self.partial_urls:
            key = title_date_key(article.title, article.published)
            if key in self.partial_keys or article.url in self.partial_urls:
                self._drop_stubs_of(key, article.url)

    def _drop_stubs_of(self, key: str, url: str | None) -> None:
        """Delete the partial stubs in the live index that the full article (title and day ``key``, ``url``)
        stands for."""
        assert self.searcher is not None
        clauses = [Term("tdkey", key)] + ([Term("url", url)] if url else [])
        for docnum in self.searcher.docs_for_query(And([Term("partial", True), Or(clauses)])):
            self.dropped.add(self.searcher.stored_fields(docnum)["id"])
            self.writer.delete_document(docnum)
            self.writes += 1

    def _write(self, article: Article, sig: str) -> None:
        old = self.existing.get(article.id)
        content_hash = self.id_hash[article.id] = article.content_hash()
        if old == content_hash:
            # unchanged content: nothing is written, wherever the file now is (the file state says where)
            self.summary.unchanged += 1
            self.summary.unchanged_read += 1
            return
        self.writes += 1
        doc = article_document(article, sig, content_hash)
        if old is None:
            self.summary.added += 1
            if self.searcher is None:
                self.writer.add_document(**doc)
                return
        else:
            self.summary.updated += 1
        self.writer.update_document(**doc)

    def finish_stubs(self) -> None:
        full_keys = {title_date_key(t, p) for t, p in self.full_titles} if self.stubs else set()
        for stub, sig in self.stubs:
            if stub.id in self.seen:
                continue
            key = title_date_key(stub.title, stub.published)
            if (
                key in full_keys
                or (stub.url and stub.url in self.full_urls)
                or self._superseded_in_index(stub, key)
            ):
                self.summary.skipped["superseded stub"] += 1
                continue
            self.seen[stub.id] = f"{stub.path}:{stub.line}"
            self.id_path[stub.id] = stub.path
            self._write(stub, sig)

    def file_state(self, previous: FileState, within: Callable[[str], bool]) -> FileState:
        """The files, their ids and content hashes after this run: those read or found unchanged as this run saw
        them, those outside its paths as ``previous`` had them. A file with unreadable parts keeps the ids it
        held that it did not give this time (they stay in the index) and is read again next time."""
        state = FileState(max_body=self.max_body)
        state.carry(previous, [path for path in previous.files if not within(path)])
        for path, sig in self.file_sigs.items():
            state.files[path] = FileEntry(sig)
        for doc_id, path in self.id_path.items():
            if doc_id not in self.dropped:
                state.files[path].add(doc_id, self.id_hash[doc_id], self.id_line.get(doc_id, ""))
        for path in self.protected_paths:
            entry = state.files.setdefault(path, FileEntry(None))
            before = previous.files.get(path) or FileEntry(None)
            kept = [
                (i, h, n)
                for i, h, n in zip(before.ids, before.hashes, before.lines, strict=True)
                if i not in self.id_path
            ]
            if kept or path not in self.file_sigs:
                entry.sig = None
                for doc_id, content_hash, line in kept:
                    entry.add(doc_id, content_hash, line)
        return state

    def _superseded_in_index(self, stub: Article, key: str) -> bool:
        if self.searcher is None:
            return False
        clauses = [Term("tdkey", key)] + ([Term("url", stub.url)] if stub.url else [])
        q = And([Term("partial", False), Or(clauses)])
        return not self.searcher.search(q, limit=1).is_empty()


def _all_lines(lines_by_path: dict[str, dict[str, str]]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for lines in lines_by_path.values():
        merged.update(lines)
    return merged


def _read_file(
    run: IngestRun, path: Path, sig: str, name: str, known_lines: Mapping[str, str] | None
) -> None:
    """One changed file into ``run`` (``known_lines``: digests of the lines read before, with their ids)."""
    key = str(path)
    summary = run.summary
    problems_before = sum(summary.skipped.values())
    articles = 0
    for got in load_file(path, name, known_lines):
        if isinstance(got, KnownLines):
            again = run.known_lines(got)
            articles += len(got) - len(again)
            run.progress.advance(len(got) - len(again))
            records: Iterable[Article | KnownLine | Problem] = (line.parse() for line in again)
        else:
            records = (got,)
        for rec in records:
            if isinstance(rec, KnownLine):
                if rec.id not in run.seen:
                    run.known_line(rec)
                    articles += 1
                    run.progress.advance()
                    continue
                rec = rec.parse()  # read again in this run: a repeated id, read as any line
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


def read_sources(run: IngestRun, paths: Sequence[Path], previous: FileState | None = None) -> None:
    """Read the files under ``paths`` into ``run``: those whose signature is the one ``previous`` (the state the
    last run left) gives for them are skipped, their ids counted as read unchanged; in the others, a JSON line
    that ``previous`` knows (in that file; in any file, for a file it does not list) is not parsed again."""
    previous = previous or FileState()
    known_sigs = previous.signatures()
    ids_by_path = previous.ids_by_path()
    lines_by_path = previous.lines_by_path(run.max_body)
    all_lines: dict[str, str] | None = None
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
        run.file_sigs[key] = sig
        if known_sigs.get(key) == sig:
            # unchanged file: what it holds is in the index already, what it could not give is reported again
            summary.files_unchanged += 1
            run.known.replay(key, sig, summary)
            for doc_id in ids_by_path.get(key, ()):
                run.seen[doc_id] = key
                run.id_path[doc_id] = key
                run.id_hash[doc_id] = run.existing[doc_id]
                summary.unchanged += 1
            continue
        # a saved page without a url is named by its path under the directory given (its id stays when edited)
        name = item.relative_to(root).as_posix() if item != root else item.name
        todo.append((item, sig, name))
    # for the progress bar: what a file held last time, else its lines counted (a pass over the file)
    estimate = sum(len(ids_by_path.get(str(p), ())) or estimate_articles(p) for p, _, _ in todo)
    if hasattr(run.writer, "plan"):
        run.writer.plan(estimate)
    run.progress.start(estimate)
    for path, sig, name in todo:
        known_lines = lines_by_path.get(str(path))
        if (
            known_lines is None and lines_by_path
        ):  # a file new to the state (renamed, moved): any file's lines
            known_lines = all_lines = all_lines if all_lines is not None else _all_lines(lines_by_path)
        _read_file(run, path, sig, name, known_lines)
    run.finish_stubs()
