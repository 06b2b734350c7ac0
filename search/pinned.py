"""One immutable view of the index: a Whoosh commit of one generation, with its readers and columns.

A snapshot pins a generation directory *and* the Whoosh commit (TOC generation) inside it, so every reader it
opens sees exactly the same documents, whatever reindex does meanwhile (POSIX keeps deleted segment files
readable for the readers that have them open). Readers are not shared between threads: each query borrows a
Whoosh searcher from the snapshot's pool and returns it, and the pool grows to the number of concurrent queries.

The per-document values the collector needs for every match (source, category, year, publication time, the
rank of the id for stable ties) are loaded once per snapshot from the sortable columns into plain lists, so
counting facets and applying filters costs a list lookup per match.
"""

from __future__ import annotations

import io
import mmap
import os
import threading
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from whoosh.filedb.structfile import StructFile
from whoosh.index import TOC, FileIndex
from whoosh.reading import IndexReader
from whoosh.scoring import BM25F
from whoosh.searching import Searcher as WhooshSearcher

from indexer.analysis import ChineseTokenizer
from indexer.mmapstore import MappedStorage, _MappedFile, _MappedPart
from indexer.normalize import fold
from indexer.store import StoreError, live_version
from search.build import QueryBuilder, Weights
from search.errors import IndexUnavailableError
from search.scoring import FieldNorms
from search.snippets import fold_text

INDEX_NAME = "MAIN"
#: Column value of a document without a publication time (Whoosh's default for a missing DATETIME).
NO_DATE = 2**64 - 1


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


@dataclass(frozen=True)
class Columns:
    """Per-document values, indexed by global document number."""

    rank: array  # position of the document's id in sorted id order
    published: list[int]  # Whoosh datetime long (microseconds), NO_DATE when missing
    source: array  # code into source_names
    category: array  # code into category_names
    year: array  # code into year_values
    source_names: list[str]
    category_names: list[str]
    year_values: list[int]  # 0: no year
    newest_key: list[int]  # sort keys, larger first: by date (undated last), then by id
    oldest_key: list[int]


def _column(reader: IndexReader, name: str, default: object, *, translate: bool = False) -> list:
    values: list = []
    for leaf, offset in reader.leaf_readers():
        count = leaf.doc_count_all()
        assert offset == len(values)
        if leaf.has_column(name):
            part = list(leaf.column_reader(name, translate=translate))
        else:
            part = []
        if len(part) < count:
            part.extend([default] * (count - len(part)))
        values.extend(part[:count])
    return values


def _codes(values: list) -> tuple[array, list]:
    names: dict = {}
    codes = array("i", [names.setdefault(v, len(names)) for v in values])
    return codes, list(names)


def load_columns(reader: IndexReader) -> Columns:
    ids = _column(reader, "id", b"")
    order = sorted(range(len(ids)), key=ids.__getitem__)
    rank = array("i", bytes(4 * len(ids)))
    for r, docnum in enumerate(order):
        rank[docnum] = r
    published = [NO_DATE if v is None else int(v) for v in _column(reader, "published", NO_DATE)]
    src, src_names = _codes(_column(reader, "source", b""))
    cat, cat_names = _codes(_column(reader, "category", b""))
    year, years = _codes(
        [v if isinstance(v, int) and 0 < v < 10000 else 0 for v in _column(reader, "year", 0, translate=True)]
    )

    def text(v: object) -> str:
        return v.decode("utf-8") if isinstance(v, bytes) else str(v)

    n = len(ids) + 1
    newest = [(-1 if p == NO_DATE else p) * n + (n - 1 - r) for p, r in zip(published, rank, strict=True)]
    oldest = [
        (-NO_DATE if p == NO_DATE else -p) * n + (n - 1 - r) for p, r in zip(published, rank, strict=True)
    ]
    return Columns(
        rank=rank,
        published=published,
        source=src,
        category=cat,
        year=year,
        source_names=[text(v) for v in src_names],
        category_names=[text(v) for v in cat_names],
        year_values=years,
        newest_key=newest,
        oldest_key=oldest,
    )


class Snapshot:
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
        self.norms = FieldNorms()
        for name in ("title", "body"):  # the fields every query scores
            self.norms.get(first, name)
        # warm up what the first query would otherwise pay for: the dictionary, OpenCC, the folding tables
        self.analyzer.words("预热")
        fold_text("預熱")

    def _open_searcher(self) -> WhooshSearcher:
        reader = FileIndex._reader(self.storage, self.schema, list(self.segments), self.generation)
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
                    s.close()
                else:
                    self._idle.append(s)

    def retire(self) -> None:
        """Close the idle readers; readers in use are closed when their query ends."""
        with self._lock:
            self._retired = True
            idle, self._idle = self._idle, []
        for s in idle:
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
