"""JSON Lines (``.jsonl``, ``.jsonl.gz``) and JSON (``.json``: one object or an array of objects) article files.

Fields: ``id, title, body, url, source, author, category, published, tags``, with the aliases
``date``/``publish_time``/``pubdate`` (published), ``content``/``text`` (body) and ``keywords`` (tags).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from indexer.articles import Article, make_id
from indexer.ingest.loaders.dates import parse_date
from indexer.ingest.loaders.encoding import decode, may_be_plain_utf8, read_bytes, read_gzip
from indexer.ingest.loaders.problem import LoadError, Problem
from indexer.normalize import without_lone_surrogates

_BODY_KEYS = ("body", "content", "text")
_DATE_KEYS = ("published", "date", "publish_time", "pubdate")
_TAG_SPLIT = re.compile(r"[,，、;；]")
_MAX_SHOWN = 80


def line_digest(line: str | bytes) -> str:
    """A 64-bit digest of one line of an article file (hex), to tell a line read before from a new one: of its
    UTF-8 bytes (a line of a UTF-8 file gives the same digest read as bytes or as text)."""
    raw = line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")
    return hashlib.blake2b(raw, digest_size=8).hexdigest()


@dataclass(slots=True)
class KnownLine:
    """A line of a JSON Lines file that a previous run read as the article ``id``, exactly as it is now: the
    reader need not parse it again (:meth:`parse` does, when it must be read after all)."""

    id: str
    path: str
    line: int
    text: str | bytes  # bytes: a line of a UTF-8 file, decoded only if it must be parsed
    digest: str

    def parse(self) -> Article | Problem:
        text = self.text.decode("utf-8", errors="replace") if isinstance(self.text, bytes) else self.text
        got = parse_line(text, self.path, self.line)
        if isinstance(got, Article):
            got.line_digest = self.digest
        return got


@dataclass(slots=True)
class KnownLines:
    """A run of consecutive lines of a UTF-8 JSON Lines file that a previous run read, each exactly as it is
    now: their ids, line numbers, bytes and digests, taken together (a file read before is mostly such lines)."""

    path: str
    ids: list[str]
    lines: list[int]
    raws: list[memoryview]  # views of the file's bytes
    digests: list[str]

    def __len__(self) -> int:
        return len(self.ids)

    def line(self, k: int) -> KnownLine:
        """The ``k``-th line alone."""
        return KnownLine(self.ids[k], self.path, self.lines[k], self.raws[k].tobytes(), self.digests[k])


def load_jsonl(
    path: Path, known: Mapping[str, str] | None = None
) -> Iterator[Article | KnownLine | KnownLines | Problem]:
    """Articles from a JSON Lines file (gzip-compressed when the name ends in ``.gz``), one problem per bad line.

    ``known``: line digests (:func:`line_digest`) of lines read before, with the id each held: such a line is not
    parsed but given as a :class:`KnownLine`, or with its neighbours as :class:`KnownLines`."""
    where = str(path)
    error = None
    try:
        if path.name.lower().endswith(".gz"):
            data, error = read_gzip(path)
        else:
            data = read_bytes(path)
        done = 0
        if known and may_be_plain_utf8(data):
            # a file read before: its known lines are looked up as bytes, only the others decoded and parsed
            for done, record in _utf8_records(data, where, known):  # noqa: B007 (done: where it stopped)
                if record is None:
                    break  # a line that is not UTF-8: the file is read as a whole, from that line on
                yield record
            else:
                done = -1
        if done >= 0:
            text = decode(data)
    except LoadError as exc:
        yield exc.problem(where)
        return
    del data
    if done >= 0:
        yield from _jsonl_records(text, where, known, after=done)
    if error is not None:
        yield error.problem(where)


def _lines(data: bytes) -> list[memoryview]:
    """Each line of ``data`` (without its newline) as a view of it: no copy of the file's text."""
    view = memoryview(data)
    out = []
    start, end = 0, len(data)
    find = data.find
    while start < end:
        stop = find(b"\n", start)
        if stop < 0:
            stop = end
        out.append(view[start:stop])
        start = stop + 1
    return out


def _utf8_records(
    data: bytes, where: str, known: Mapping[str, str]
) -> Iterator[tuple[int, Article | KnownLines | Problem | None]]:
    """``(line number, record)`` of the lines of UTF-8 ``data``: runs of known lines as one :class:`KnownLines`
    (given with the number of its last line), every other line parsed (the record None, and the end, at the
    first line that is not UTF-8: the line before it is given as where to go on from)."""
    raws = _lines(data)
    digests = [hashlib.blake2b(raw, digest_size=8).hexdigest() for raw in raws]
    ids = list(map(known.get, digests))
    run: KnownLines | None = None
    for k, doc_id in enumerate(ids):
        number = k + 1
        if doc_id is not None:
            if run is None:
                run = KnownLines(where, [], [], [], [])
            run.ids.append(doc_id)
            run.lines.append(number)
            run.raws.append(raws[k])
            run.digests.append(digests[k])
            continue
        if run is not None:
            yield number - 1, run
            run = None
        try:
            line = str(raws[k], "utf-8")
        except UnicodeDecodeError:
            yield number - 1, None
            return
        if not line or line.isspace():
            continue
        got = parse_line(line, where, number)
        if isinstance(got, Article):
            got.line_digest = digests[k]
        yield number, got
    if run is not None:
        yield len(ids), run


def load_json(path: Path) -> Iterator[Article | Problem]:
    """Articles from a JSON file holding one object or an array of objects (JSON Lines content is accepted too)."""
    where = str(path)
    try:
        text = decode(read_bytes(path))
    except LoadError as exc:
        yield exc.problem(where)
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and text.lstrip().startswith("{"):  # JSON Lines saved as .json
            yield from _jsonl_records(text, where)
        else:
            yield Problem(where, exc.lineno, "bad JSON", f"bad JSON: {exc.msg} (column {exc.colno})")
        return
    except RecursionError:
        yield Problem(where, None, "too deeply nested", "JSON nested too deeply to read")
        return
    escaped = _SURROGATE_ESCAPE_RE.search(text) is not None
    if isinstance(value, dict):
        yield _record(value, where, 1, escaped)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                yield _record(item, where, index + 1, escaped)
            else:
                yield _not_an_object(item, where, index + 1)
    else:
        yield _not_an_object(value, where, 1)


def _jsonl_records(
    text: str, where: str, known: Mapping[str, str] | None = None, *, after: int = 0
) -> Iterator[Article | KnownLine | Problem]:
    """The records of the lines of ``text`` after line ``after``."""
    start = 0
    number = 0
    end = len(text)
    while start < end:
        stop = text.find("\n", start)
        if stop < 0:
            stop = end
        line = text[start:stop]
        start = stop + 1
        number += 1
        if number <= after or not line or line.isspace():
            continue
        digest = line_digest(line)
        if known is not None:
            doc_id = known.get(digest)
            if doc_id is not None:
                yield KnownLine(doc_id, where, number, line, digest)
                continue
        got = parse_line(line, where, number)
        if isinstance(got, Article):
            got.line_digest = digest
        yield got


def parse_line(line: str, where: str, number: int) -> Article | Problem:
    """The article on one line of a JSON Lines file (``where``, line ``number``), or its problem."""
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return Problem(where, number, "bad JSON", f"bad JSON: {exc.msg} (column {exc.colno})")
    except RecursionError:
        return Problem(where, number, "too deeply nested", "JSON nested too deeply to read")
    if isinstance(value, dict):
        return _record(value, where, number, _SURROGATE_ESCAPE_RE.search(line) is not None)
    return _not_an_object(value, where, number)


#: A ``\uD800``-``\uDFFF`` escape in JSON text: what can decode to half of a UTF-16 pair alone.
_SURROGATE_ESCAPE_RE = re.compile(r"\\u[dD][89a-fA-F]")
#: The note of an article whose text held half of a UTF-16 pair alone (text no file can hold as UTF-8).
LONE_SURROGATE_NOTE = (
    "lone surrogate",
    "a \\uD800-\\uDFFF escape without its pair: replaced by U+FFFD (the replacement character)",
)


def _record(value: dict[str, Any], where: str, number: int, escaped: bool) -> Article | Problem:
    """:func:`record_to_article`; when the JSON text holds a surrogate escape (``escaped``), every lone
    surrogate of the record's strings replaced by U+FFFD first, and the article noted."""
    if not escaped:
        return record_to_article(value, where, number)
    mended = _without_lone_surrogates(value)
    got = record_to_article(mended, where, number)
    if isinstance(got, Article) and mended != value:
        got.notes.append(LONE_SURROGATE_NOTE)
    return got


def _without_lone_surrogates(value: Any) -> Any:
    """``value`` (decoded JSON) with every string's lone surrogates replaced by U+FFFD."""
    if isinstance(value, str):
        return without_lone_surrogates(value)
    if isinstance(value, dict):
        return {_without_lone_surrogates(k): _without_lone_surrogates(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_lone_surrogates(v) for v in value]
    return value


def _not_an_object(value: Any, where: str, line: int) -> Problem:
    kind = type(value).__name__ if value is not None else "null"
    return Problem(where, line, "not an object", f"expected a JSON object (an article), got {kind}")


def record_to_article(record: dict[str, Any], path: str, line: int) -> Article | Problem:
    """One JSON object as an :class:`Article`, or the :class:`Problem` that keeps it from being one."""
    try:
        title = _field(record, "title")
        body = _body(_first(record, _BODY_KEYS))
        if not title and not body:
            return Problem(path, line, "missing title and body", "record has neither a title nor a body")
        url = _field(record, "url")
        raw_date = _first(record, _DATE_KEYS)
        published = None
        notes = []
        if raw_date is not None and raw_date != "":
            published = parse_date(raw_date)
            if published is None:  # the article is indexed without a date, with a warning
                notes.append(
                    ("unparseable date", f"unparseable date {_shown(raw_date)}: indexed without a date")
                )
        raw_id = record.get("id")
        if raw_id is None or isinstance(raw_id, str) and not raw_id.strip():
            article_id = make_id(url=url, title=title, body=body)
        elif isinstance(raw_id, str | int) and not isinstance(raw_id, bool):
            article_id = str(raw_id).strip()
        else:
            raise _BadField("id", raw_id)
        return Article(
            id=article_id,
            title=title,
            body=body,
            url=url,
            source=_field(record, "source"),
            author=_field(record, "author"),
            category=_field(record, "category"),
            published=published,
            tags=_tags(record.get("tags"), record.get("keywords")),
            path=path,
            line=line,
            notes=notes,
        )
    except _BadField as exc:
        return Problem(path, line, "bad field", str(exc))


class _BadField(Exception):
    def __init__(self, name: str, value: Any) -> None:
        super().__init__(f"field {name!r} has an unusable value {_shown(value)}")


def _first(record: dict[str, Any], keys: tuple[str, ...]) -> Any:
    for key in keys:
        value = record.get(key)
        if value is not None and value != "":
            return value
    return None


def _field(record: dict[str, Any], name: str) -> str:
    value = record.get(name)
    if type(value) is str:  # the common case first: this runs five times per record
        return " ".join(value.split()) if "\n" in value else value.strip()
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return ", ".join(item.strip() for item in value if item.strip())
    raise _BadField(name, value)


def _body(value: Any) -> str:
    """The body, stripped, one paragraph a line (a list of paragraph strings is accepted too)."""
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        value = "\n".join(value)
    elif not isinstance(value, str):
        raise _BadField("body", value)
    if "\n" not in value and "\r" not in value:
        return value.strip()
    return normalise_paragraphs(value)


def normalise_paragraphs(text: str) -> str:
    """Strip every line, drop the empty ones: paragraphs separated by single ``\\n``."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(stripped for line in lines if (stripped := line.strip()))


def _tags(*values: Any) -> list[str]:
    tags: dict[str, None] = {}  # ordered and de-duplicated
    for value in values:
        if value is None:
            continue
        if isinstance(value, str):
            items = _TAG_SPLIT.split(value)
        elif isinstance(value, list):
            items = [item for item in value if isinstance(item, str)]
        else:
            raise _BadField("tags", value)
        for item in items:
            if tag := item.strip():
                tags[tag] = None
    return list(tags)


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= _MAX_SHOWN else text[: _MAX_SHOWN - 1] + "…"
