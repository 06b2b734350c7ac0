"""A pinned index: one Whoosh commit of one generation, with its readers, segments, norms and columns.

A pinned index (:class:`PinnedIndex`) pins a generation directory *and* the Whoosh commit (TOC generation) inside it, so every reader it
opens sees exactly the same documents, whatever reindex does meanwhile (POSIX keeps deleted segment files
readable for the readers that have them open). Readers are not shared between threads: each query borrows a
Whoosh searcher from the snapshot's pool and returns it, and the pool grows to the number of concurrent queries.

The per-document arrays the query engine needs (:class:`search.columns.Columns`, the BM25F length norms of
the searched fields) are loaded once per pinned index; each query gets a :class:`search.context.Context` on a
borrowed searcher (:meth:`PinnedIndex.context`).
"""

from __future__ import annotations

import io
import mmap
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.filedb.structfile import StructFile
from whoosh.index import TOC
from whoosh.scoring import BM25F
from whoosh.searching import Searcher as WhooshSearcher

from indexer.analysis import ChineseTokenizer
from indexer.compat import open_reader
from indexer.format.mmapstore import MappedStorage, _MappedFile, _MappedPart
from indexer.normalize import fold
from indexer.store import INDEX_NAME, StoreError, live_version
from search.clauses import Weights
from search.collapse import DupGroups, load_groups
from search.columns import load_columns
from search.context import Context, IndexStatistics
from search.errors import IndexUnavailableError
from search.plan import QueryBuilder
from search.postings import Segment, TermLists
from search.snippets import fold_text
from search.spelling import Speller, shared_speller


def live_key(index_dir: Path) -> tuple[str, int] | None:
    """``(generation directory name, Whoosh commit number)`` of the live index, None if there is none."""
    try:
        return live_version(index_dir)
    except StoreError as exc:
        raise IndexUnavailableError(f"the index at {index_dir} cannot be read: {exc}") from None
    except OSError as exc:
        raise IndexUnavailableError(
            f"the index at {index_dir} cannot be read: {exc.strerror or exc}"
        ) from None


class PinnedStorage(MappedStorage):
    """A :class:`MappedStorage` that maps each file once and keeps the map for the life of the snapshot.

    An incremental commit may merge segments and delete the files of the old ones (Whoosh's ``clean_files``)
    while a snapshot still serves them: a reader opened later for a concurrent query must not go back to the
    file names. :meth:`pin` maps every file of the snapshot's segments when it opens; later opens reuse the maps.
    """

    def __init__(self, path: str) -> None:
        super().__init__(path, readonly=True)
        self._maps: dict[str, mmap.mmap | None] = {}
        self._maps_lock = threading.Lock()

    def pin(self, segment_ids: list[str]) -> None:
        prefixes = tuple(f"{sid}." for sid in segment_ids)  # ids are "MAIN_xxxx"
        for name in os.listdir(self.folder):
            if name.startswith(prefixes):
                self.open_file(name).close()

    def damage(self) -> str | None:
        """What changed on disk under the maps of this storage's segment files (missing, other size), or None."""
        with self._maps_lock:
            sizes = {
                n: (len(m) if m is not None else 0) for n, m in self._maps.items() if not n.endswith(".toc")
            }
        for name, size in sorted(sizes.items()):
            try:
                now = os.stat(self._fpath(name)).st_size
            except FileNotFoundError:
                return f"segment file {name} is missing"
            except OSError as exc:
                return f"segment file {name} cannot be read: {exc.strerror or exc}"
            if now != size:
                return f"segment file {name} has {now:,} bytes instead of {size:,}"
        return None

    def open_file(self, name: str, **kwargs: object) -> StructFile:
        with self._maps_lock:
            if name not in self._maps:
                with open(self._fpath(name), "rb") as fh:
                    size = os.fstat(fh.fileno()).st_size
                    self._maps[name] = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) if size else None
            mapped = self._maps[name]
        if mapped is None:
            return StructFile(io.BytesIO(b""), name=name)
        return _MappedFile(_MappedPart(mapped, 0, len(mapped)), name=name)


class PinnedIndex:
    """A pinned commit of the live index (see the module docs)."""

    def __init__(self, index_dir: Path, key: tuple[str, int], weights: Weights) -> None:
        self.index_dir = index_dir
        self.key = key
        self.gen_dir = index_dir / key[0]
        self.storage = PinnedStorage(str(self.gen_dir))
        try:
            toc = TOC.read(self.storage, INDEX_NAME, gen=key[1])
        except FileNotFoundError:
            raise
        except Exception as exc:  # a damaged TOC: whoosh raises many types here
            raise IndexUnavailableError(f"the index at {self.gen_dir} cannot be read: {exc}") from None
        self.schema = toc.schema
        self.segments = list(toc.segments)
        self.storage.pin([seg.segment_id() for seg in self.segments])  # FileNotFoundError: replaced meanwhile
        self.generation = toc.generation
        if "title" not in self.schema.names() or not hasattr(self.schema["title"].analyzer, "words"):
            raise IndexUnavailableError(f"the index at {self.gen_dir} was not built by zhsearch")
        self.analyzer: ChineseTokenizer = self.schema["title"].analyzer
        self._lock = threading.Lock()
        self._idle: list[WhooshSearcher] = []
        self._retired = False
        try:
            first = self._open_searcher()
            self.doc_count = first.doc_count()
            self.columns = load_columns(first.reader())
        except FileNotFoundError:
            raise
        except Exception as exc:  # a truncated or overwritten segment file
            raise IndexUnavailableError(
                f"the index at {self.gen_dir} is damaged ({type(exc).__name__}: {exc}); "
                "`zhsearch check` tells more, `zhsearch reindex --full` repairs it"
            ) from None
        self._idle.append(first)
        self._values_cache: dict[tuple[str, str], list[str]] = {}
        self._folded_names = {
            "source": [(fold(" ".join(n.split())), n) for n in self.columns.source_names if n],
            "category": [(fold(" ".join(n.split())), n) for n in self.columns.category_names if n],
        }
        self.builder = QueryBuilder(self.analyzer, weights=weights, values=self.field_values)
        self._segments: dict[int, list[Segment]] = {}
        self._term_lists = TermLists()
        self._speller: Speller | None = None
        self._speller_read = False
        self._speller_lock = threading.Lock()
        self._groups: DupGroups | None = None
        self._groups_read = False
        self.stats = IndexStatistics(first, self._segments_of(first))
        for name in self.schema.names():  # every scorable field, while `first` is not lent to a query
            if self.schema[name].scorable:
                self.stats.get(name)
        # warm up what the first query would otherwise pay for: the dictionary, OpenCC, the folding tables
        self.analyzer.words("预热")
        fold_text("預熱")

    def speller(self) -> Speller | None:
        """The spelling tables ``reindex`` wrote for this commit (read at the first query that needs them), or
        None for an index without them (built before they existed: its queries get no spelling suggestions)."""
        if not self._speller_read:
            with self._speller_lock:
                if not self._speller_read:
                    self._speller = shared_speller(self.gen_dir, self.key[1])
                    self._speller_read = True
        return self._speller

    def dup_groups(self) -> DupGroups | None:
        """The near-duplicate groups ``reindex`` wrote for this commit (read at the first query that needs them),
        or None for an index without them (nothing is collapsed)."""
        if not self._groups_read:
            with self._speller_lock:
                if not self._groups_read:
                    self._groups = load_groups(self.gen_dir, self.key[1])
                    self._groups_read = True
        return self._groups

    def _open_searcher(self) -> WhooshSearcher:
        reader = open_reader(self.storage, self.schema, list(self.segments), self.generation)
        return WhooshSearcher(reader, weighting=BM25F())

    @contextmanager
    def searcher(self) -> Iterator[WhooshSearcher]:
        """Borrow a Whoosh searcher on this snapshot for the duration of one query."""
        with self._lock:
            s = self._idle.pop() if self._idle else None
        if s is None:
            s = self._open_searcher()
        try:
            yield s
        finally:
            with self._lock:
                if self._retired:
                    self._segments.pop(id(s), None)
                    s.close()
                else:
                    self._idle.append(s)

    def _segments_of(self, s: WhooshSearcher) -> list[Segment]:
        """The segments of a searcher of this pinned index (made once per searcher of the pool)."""
        segs = self._segments.get(id(s))
        if segs is None:
            segs = self._segments[id(s)] = [
                Segment(leaf, offset, self._term_lists) for leaf, offset in s.reader().leaf_readers()
            ]
        return segs

    @contextmanager
    def context(self) -> Iterator[Context]:
        """A query :class:`~search.context.Context` on a borrowed searcher, for the duration of one query."""
        with self.searcher() as s:
            yield Context(s, self._segments_of(s), self.stats, self.columns)

    def retire(self) -> None:
        """Close the idle readers; readers in use are closed when their query ends."""
        with self._lock:
            self._retired = True
            idle, self._idle = self._idle, []
        for s in idle:
            self._segments.pop(id(s), None)
            s.close()

    def field_values(self, field_name: str, typed: str) -> list[str]:
        """Stored ``source``/``category`` values matching a typed value (folded: equal, else containing it)."""
        key = (field_name, typed)
        cached = self._values_cache.get(key)
        if cached is not None:
            return cached
        want = fold(" ".join(typed.split()))
        names = self._folded_names.get(field_name, [])
        found = [n for f, n in names if f == want] or [n for f, n in names if want and want in f]
        if len(self._values_cache) < 4096:
            self._values_cache[key] = found
        return found
