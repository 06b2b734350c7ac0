"""Single articles of the index served now: one by id, the other copies of its story, the articles like it.

:class:`ArticleLookups` is mixed into :class:`search.Searcher`, which gives it the pinned index it serves.
"""

from __future__ import annotations

from collections.abc import Iterable

from search.collect import collect
from search.context import Context
from search.nodes import AnyOf, Term
from search.pinned import PinnedIndex
from search.results import Copy, Document, Hit, copy_from_fields, document_from_fields, hit_from_fields
from search.snippets import Highlighter

#: Most related articles asked for at once.
MAX_RELATED = 50


def oldest_first(copies: Iterable[Copy]) -> tuple[Copy, ...]:
    """Copies of a story by date (undated last), then id."""
    return tuple(sorted(copies, key=lambda c: (c.published is None, c.published or "", c.id)))


class ArticleLookups:
    """Lookups of single articles on the pinned index of ``_current()``."""

    def _current(self) -> PinnedIndex:
        raise NotImplementedError

    @staticmethod
    def _docnum(ctx: Context, doc_id: str) -> int | None:
        ids = ctx.postings("id", doc_id, None).ids
        return int(ids[0]) if len(ids) else None

    def get(self, doc_id: str) -> Document | None:
        """The stored article with this id, or None."""
        snap = self._current()
        with snap.context() as ctx:
            s = ctx.searcher
            docnum = self._docnum(ctx, doc_id)
            if docnum is None:
                return None
            f = s.stored_fields(docnum)
        return document_from_fields(f, doc_id)

    def copies(self, doc_id: str) -> list[Copy]:
        """The other articles of this article's story (near-duplicates found by ``reindex``), oldest first;
        [] for an unknown id or an article without copies."""
        snap = self._current()
        groups = snap.dup_groups()
        if groups is None:
            return []
        with snap.context() as ctx:
            docnum = self._docnum(ctx, doc_id)
            if docnum is None:
                return []
            return list(
                oldest_first(copy_from_fields(ctx.searcher.stored_fields(d)) for d in groups.others(docnum))
            )

    def related(self, doc_id: str, n: int = 5) -> list[Hit]:
        """Up to ``n`` articles most like this one (its key words, by BM25F); [] for an unknown id."""
        n = max(0, min(int(n), MAX_RELATED))
        if n == 0:
            return []
        snap = self._current()
        with snap.context() as ctx:
            s = ctx.searcher
            docnum = self._docnum(ctx, doc_id)
            if docnum is None:
                return []
            f = s.stored_fields(docnum)
            text = (f.get("title") or "") + "\n" + (f.get("body") or "")
            terms = s.key_terms_from_text("body", text, numterms=16)
            if not terms:
                return []
            q = AnyOf(
                tuple(Term("body", t, boost=w) for t, w in terms)
                + tuple(Term("title", t, boost=w) for t, w in terms)
            )
            got = collect(ctx, q, n + 1, "relevance", None, stored=s.stored_fields, proximity=0)
            blank = Highlighter([])
            hits = [hit_from_fields(s.stored_fields(d), score, blank) for d, score in got.top if d != docnum]
            return hits[:n]
