"""The search engine: query language, ranking, snippets, filters and facets over the zhsearch index.

>>> from search import Searcher
>>> searcher = Searcher("index_data/index")      # share one per process
>>> result = searcher.search("电信诈骗 -缅北", sort="newest")
>>> result.total, [hit.title for hit in result.hits]
>>> searcher.search(SearchRequest(q="电信诈骗", date_from="2024-03", page=2))   # checked once, also the cache key
"""

from search.clauses import Weights
from search.errors import (
    IndexUnavailableError,
    InvalidParameterError,
    NoIndexError,
    PageOutOfRangeError,
    QueryError,
    QueryTooLongError,
    SearchError,
)
from search.request import MAX_PER_PAGE, MAX_RESULTS, SORTS, SearchRequest
from search.results import Document, Hit, SearchResult
from search.searcher import Searcher

__all__ = [
    "MAX_PER_PAGE",
    "MAX_RESULTS",
    "SORTS",
    "Document",
    "Hit",
    "IndexUnavailableError",
    "InvalidParameterError",
    "NoIndexError",
    "PageOutOfRangeError",
    "QueryError",
    "QueryTooLongError",
    "SearchError",
    "SearchRequest",
    "SearchResult",
    "Searcher",
    "Weights",
]
