"""The query language of the search box, read into a small syntax tree.

What a user can type (the help page documents the same):

* ``电信 诈骗``: space-separated terms, all must match. A term is analysed like the index (a Chinese run such
  as ``电信网络诈骗`` becomes the words 电信/网络/诈骗, all required; see :mod:`search.build`).
* ``"诈骗窝点"``, ``“诈骗窝点”``, ``「诈骗窝点」``, ``『诈骗窝点』``: an exact phrase.
* ``-词``, ``-"短语"``, ``-(a OR b)``, ``NOT 词``: exclusion.
* ``a OR b``, ``a | b``: either (``OR`` binds looser than the implicit AND: ``a b OR c`` is ``(a b) OR c``).
* ``(…)``: grouping. ``AND`` is accepted and means nothing (AND is the default); ``+词`` is ``词``.
* ``title:词``, ``title:"短语"``, ``title:(a OR b)``: match in the title only.
* ``source:央视``, ``category:国内``: the article's source/category (see :mod:`search.build` for how values match).
* ``date:2024``, ``date:2024-03``, ``date:2024-03-05``, ``date:2024-01..2024-06``, ``date:2024..``,
  ``date:..2024-06``, also ``2024/3/5`` and ``2024年3月5日``: publication date (China time, bounds inclusive; a
  reversed range is swapped).

Full-width operators (``（）｜：－＂``, the ideographic space) work like their ASCII forms (the query is NFKC
normalised first). Nothing a user types raises an error except a query over :data:`MAX_QUERY_CHARS`
characters: malformed input is read literally as best it can be --

* an unbalanced quote is dropped and the text after it read as ordinary terms;
* an unclosed ``(`` is closed at the end of the query, an unmatched ``)`` is ignored;
* a dangling ``OR`` (first, last, doubled) is ignored, and so are lone ``-``, ``+`` and ``|``;
* ``title:`` (or ``source:`` …) with nothing after it is the plain word ``title``; ``foo:bar`` with an unknown
  field name is the plain text ``foo:bar``; ``date:`` with a value that is not a date is the plain text;
* an empty phrase ``""`` means nothing; groups nested deeper than :data:`MAX_DEPTH` are flattened.

What a tree *means* (stop words, only-negative queries, …) is decided by :mod:`search.build`.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

#: Longest query accepted (characters, after trimming surrounding whitespace).
MAX_QUERY_CHARS = 256
#: Deepest parenthesis nesting honoured; deeper parentheses are ignored.
MAX_DEPTH = 16

FIELDS = ("title", "source", "category", "date")

# Opening quote -> the characters that close it. IMEs mix straight and curly quotes, so any double quote
# closes a double-quoted phrase.
_QUOTES = {
    '"': '"”“',
    "“": '”“"',
    "”": '”“"',
    "「": "」",
    "『": "』",
}
_WORD_END = set("()|") | set(_QUOTES)
_FIELD_RE = re.compile(r"(title|source|category|date):", re.IGNORECASE)


# -- syntax tree ---------------------------------------------------------------------------------------------


class Node:
    """Base class of the syntax tree; ``str(node)`` is a canonical, re-parseable form (used by the tests)."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Text(Node):
    """Free text (one whitespace-free term as typed), searched in ``field`` (None: title and body)."""

    text: str
    field: str | None = None

    def __str__(self) -> str:
        return f"{self.field}:{self.text}" if self.field else self.text


@dataclass(frozen=True, slots=True)
class Phrase(Node):
    """An exact phrase, searched in ``field`` (None: title and body)."""

    text: str
    field: str | None = None

    def __str__(self) -> str:
        return f'{self.field + ":" if self.field else ""}"{self.text}"'


@dataclass(frozen=True, slots=True)
class Match(Node):
    """``source:`` or ``category:`` with a value."""

    field: str
    value: str

    def __str__(self) -> str:
        value = f'"{self.value}"' if any(c.isspace() for c in self.value) else self.value
        return f"{self.field}:{value}"


@dataclass(frozen=True, slots=True)
class DateSpan(Node):
    """``date:`` — publication day between ``start`` and ``end`` (inclusive, China time; None: open)."""

    start: date | None
    end: date | None

    def __str__(self) -> str:
        return f"date:{self.start or ''}..{self.end or ''}"


@dataclass(frozen=True, slots=True)
class Not(Node):
    child: Node

    def __str__(self) -> str:
        return f"-{self.child}"


@dataclass(frozen=True, slots=True)
class And(Node):
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + " ".join(str(c) for c in self.children) + ")"


@dataclass(frozen=True, slots=True)
class Or(Node):
    children: tuple[Node, ...]

    def __str__(self) -> str:
        return "(" + " OR ".join(str(c) for c in self.children) + ")"


def has_or(node: Node) -> bool:
    """True when the tree holds an ``OR`` (a negated one too)."""
    if isinstance(node, Or):
        return True
    if isinstance(node, And):
        return any(has_or(c) for c in node.children)
    return isinstance(node, Not) and has_or(node.child)


def format_query(node: Node | None) -> str:
    """The canonical form of a parsed query ("" for an empty one), without the outermost parentheses."""
    if node is None:
        return ""
    text = str(node)
    if isinstance(node, And | Or):
        text = text[1:-1]
    return text


# -- lexer ---------------------------------------------------------------------------------------------------

# token kinds
WORD, PHRASE, LPAREN, RPAREN, OR, AND, NEG, FIELD = "WORD PHRASE LPAREN RPAREN OR AND NEG FIELD".split()


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    value: str = ""


def tokenize(query: str) -> list[Token]:
    """Split a (normalised) query into tokens; never fails."""
    s = query
    n = len(s)
    out: list[Token] = []
    i = 0
    term_start = True
    while i < n:
        c = s[i]
        if c.isspace():
            i += 1
            term_start = True
            continue
        if c in "()|":
            out.append(Token({"(": LPAREN, ")": RPAREN, "|": OR}[c]))
            i += 1
            term_start = True
            continue
        if c in _QUOTES:
            closers = _QUOTES[c]
            j = next((k for k in range(i + 1, n) if s[k] in closers), -1)
            if j < 0:
                # unbalanced: drop the quote, read what follows as ordinary text
                i += 1
                term_start = False
                continue
            out.append(Token(PHRASE, s[i + 1 : j]))
            i = j + 1
            term_start = False
            continue
        if term_start:
            nxt = s[i + 1] if i + 1 < n else ""
            if c in "-+" and nxt and not nxt.isspace() and nxt not in "-+)|":
                if c == "-":
                    out.append(Token(NEG))
                i += 1
                continue
            m = _FIELD_RE.match(s, i)
            if m:
                after = s[m.end()] if m.end() < n else ""
                if after and not after.isspace() and after not in ")|":
                    out.append(Token(FIELD, m.group(1).lower()))
                    i = m.end()
                    term_start = False
                    continue
        j = i + 1
        while j < n and not s[j].isspace() and s[j] not in _WORD_END:
            j += 1
        word = s[i:j]
        out.append(Token(OR) if word == "OR" else Token(AND) if word == "AND" else Token(WORD, word))
        i = j
        term_start = False
    return out


# -- dates ---------------------------------------------------------------------------------------------------

_DATE_RE = re.compile(r"^(\d{4})(?:年|[-/](?=\d))?(?:(\d{1,2})(?:月|[-/](?=\d))?(?:(\d{1,2})日?)?)?$")


def parse_day_bounds(text: str) -> tuple[date, date] | None:
    """``2024`` -> (2024-01-01, 2024-12-31); ``2024-03`` -> March; ``2024-03-05`` -> that day; else None."""
    m = _DATE_RE.match(text)
    if not m:
        return None
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    if year < 1000:
        return None
    try:
        return period_bounds(year, month, day)
    except ValueError:
        return None


def period_bounds(year: int, month: int | None = None, day: int | None = None) -> tuple[date, date]:
    """The first and the last day of a year, a month or a day; ValueError if it is not in the calendar."""
    if month is None:
        return date(year, 1, 1), date(year, 12, 31)
    if day is None:
        return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    d = date(year, month, day)
    return d, d


def parse_date_value(text: str) -> DateSpan | None:
    """The value of ``date:`` (a period or a ``..`` range of periods), or None if it is not one."""
    if ".." in text:
        left, _, right = text.partition("..")
        if ".." in right or (not left and not right):
            return None
        lo = parse_day_bounds(left) if left else None
        hi = parse_day_bounds(right) if right else None
        if (left and lo is None) or (right and hi is None):
            return None
        start = lo[0] if lo else None
        end = hi[1] if hi else None
        if start and end and start > end:
            start, end = (hi[0] if hi else None), (lo[1] if lo else None)
        return DateSpan(start, end)
    bounds = parse_day_bounds(text)
    return DateSpan(*bounds) if bounds else None


# -- parser --------------------------------------------------------------------------------------------------


def normalize_query(query: str) -> str:
    """NFKC (full-width operators and spaces become ASCII), trimmed."""
    return unicodedata.normalize("NFKC", query).strip()


def parse(query: str) -> Node | None:
    """Parse a query string into a syntax tree (None when nothing is left). Never raises.

    The length limit is checked by the caller (:meth:`search.Searcher.search`), which has the error to raise.
    """
    parser = _Parser(tokenize(normalize_query(query)))
    return parser.parse()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    def peek(self) -> Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node | None:
        return self.parse_or(None, 0)

    def parse_or(self, field: str | None, depth: int) -> Node | None:
        alternatives = [self.parse_and(field, depth)]
        while (tok := self.peek()) is not None and tok.kind == OR:
            self.take()
            alternatives.append(self.parse_and(field, depth))
        return _or([a for a in alternatives if a is not None])

    def parse_and(self, field: str | None, depth: int) -> Node | None:
        items: list[Node] = []
        while (tok := self.peek()) is not None:
            if tok.kind == OR:
                break
            if tok.kind == RPAREN:
                if depth > 0:
                    break
                self.take()  # unmatched ")": ignored
                continue
            if tok.kind == AND:
                self.take()
                continue
            node = self.parse_unary(field, depth)
            if node is not None:
                items.append(node)
        return _and(items)

    def parse_unary(self, field: str | None, depth: int) -> Node | None:
        tok = self.peek()
        assert tok is not None
        if tok.kind == NEG or (tok.kind == WORD and tok.value == "NOT" and self._atom_follows(1)):
            self.take()
            if not self._atom_follows(0):
                return None
            child = self.parse_unary(field, depth)
            return Not(child) if child is not None else None
        return self.parse_atom(field, depth)

    def _atom_follows(self, ahead: int) -> bool:
        j = self.i + ahead
        return j < len(self.tokens) and self.tokens[j].kind in (WORD, PHRASE, LPAREN, FIELD, NEG)

    def parse_atom(self, field: str | None, depth: int) -> Node | None:
        tok = self.take()
        if tok.kind == WORD:
            return _leaf(field, tok.value, phrase=False)
        if tok.kind == PHRASE:
            return _leaf(field, tok.value, phrase=True)
        if tok.kind == LPAREN:
            if depth >= MAX_DEPTH:
                return None  # too deep: this "(" is ignored, its content is read at the current level
            inner = self.parse_or(field, depth + 1)
            if (nxt := self.peek()) is not None and nxt.kind == RPAREN:
                self.take()
            return inner
        if tok.kind == FIELD:
            nxt = self.peek()
            if nxt is None or nxt.kind not in (WORD, PHRASE, LPAREN):
                return Text(tok.value, field)  # "title:" with nothing usable after it: the plain word
            if tok.value == "title" or nxt.kind == LPAREN:
                return self.parse_atom(tok.value, depth)
            self.take()
            return _leaf(tok.value, nxt.value, phrase=nxt.kind == PHRASE)
        # a NEG/OR/RPAREN/AND cannot start an atom here (parse_and and parse_unary handle them)
        return None


def _leaf(field: str | None, value: str, *, phrase: bool) -> Node | None:
    if field in ("source", "category"):
        value = value.strip()
        return Match(field, value) if value else None
    if field == "date":
        span = parse_date_value(value.strip())
        return span if span is not None else Text(f"date:{value}")
    if phrase:
        return Phrase(value.strip(), field) if value.strip() else None
    return Text(value, field)


def _and(items: list[Node]) -> Node | None:
    flat: list[Node] = []
    for item in items:
        flat.extend(item.children if isinstance(item, And) else (item,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _or(items: list[Node]) -> Node | None:
    flat: list[Node] = []
    for item in items:
        flat.extend(item.children if isinstance(item, Or) else (item,))
    if not flat:
        return None
    return flat[0] if len(flat) == 1 else Or(tuple(flat))
