"""Reading files as text: gzip, byte-order marks, UTF-8, GB18030/GBK, Big5 and UTF-16, detected rather than guessed.

Detection order: a byte-order mark; then strict UTF-8 (valid UTF-8 is a reliable signal); UTF-8 with a few damaged
bytes; for HTML a ``<meta charset>`` that decodes the bytes cleanly; then charset-normalizer on (a sample of) the
bytes. Codecs are never tried in order: a short Big5 page decodes "successfully" as GB18030 into nonsense.
"""

from __future__ import annotations

import codecs
import re
import zlib
from pathlib import Path

import charset_normalizer

from indexer.ingest.loaders.problem import LoadError

#: Decode detected legacy Chinese encodings with their supersets: GB18030 covers GB2312 and GBK, HKSCS covers Big5.
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "big5": "big5hkscs", "ascii": "utf-8"}
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16: the UTF-32-LE mark starts with the UTF-16-LE one
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
#: Every byte except the C0 controls that never occur in text (tab, newlines, form feed and escape do).
_NOT_CONTROL = bytes(b for b in range(256) if b >= 0x20 or b in b"\t\n\r\f\x1b")
_BINARY_SAMPLE = 65536
_META_CHARSET = re.compile(
    rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{2,40})""", re.IGNORECASE
)
_CHUNK = 1 << 20
_DETECT_SAMPLE = 1 << 18


def read_bytes(path: Path) -> bytes:
    """The file's bytes; :class:`LoadError` ("not found", "unreadable file") when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise LoadError("not found", f"no such file ({exc.strerror})") from None
    except OSError as exc:
        raise LoadError("unreadable file", f"cannot read the file: {exc.strerror or exc}") from None


def read_gzip(path: Path) -> tuple[bytes, LoadError | None]:
    """The decompressed bytes, and the error that stopped decompression early (damaged or truncated data).

    Decompressed piecewise with zlib so that what comes before damage is kept (``gzip.GzipFile`` loses the chunk
    it was reading); concatenated gzip members are read one after the other.
    """
    compressed = read_bytes(path)
    out: list[bytes] = []
    rest = memoryview(compressed)
    while rest:
        unzip = zlib.decompressobj(wbits=31)  # 31: gzip header and trailer
        try:
            for start in range(0, len(rest), _CHUNK):
                out.append(unzip.decompress(rest[start : start + _CHUNK]))
                if unzip.eof:
                    break
        except zlib.error as exc:
            return b"".join(out), _gzip_error(out, f"damaged gzip data ({exc})")
        if not unzip.eof:
            out.append(unzip.flush())
            return b"".join(out), _gzip_error(out, "truncated gzip data")
        rest = memoryview(unzip.unused_data)
        if not bytes(rest).strip(b"\0"):  # zero padding after the last member is allowed
            break
    return b"".join(out), None


def _gzip_error(out: list[bytes], message: str) -> LoadError:
    return LoadError("corrupt gzip", f"{message} after {sum(len(part) for part in out)} bytes")


def may_be_plain_utf8(data: bytes) -> bool:
    """Whether ``data`` could be read as UTF-8 as it is, line by line: no byte order mark, not binary (whether
    each line is UTF-8 is for its reader to find)."""
    return not any(data.startswith(bom) for bom, _codec in _BOMS) and not _looks_binary(data)


def decode(data: bytes, *, html: bool = False) -> str:
    """Decode file contents whose encoding is unknown (see the module docstring for the order of evidence).

    Raises :class:`LoadError` "not a text file" for binary data and "undecodable file" when no encoding fits;
    otherwise never fails: stray undecodable bytes become U+FFFD.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data.decode(codec, errors="replace")
    if _looks_binary(data):
        raise LoadError("not a text file", "binary data (control bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        sample = _sample(data, exc.start)
    if _damaged_utf8(sample):
        return data.decode("utf-8", errors="replace")
    if html:
        declared = _declared_charset(data)
        if declared:
            try:
                return data.decode(declared)
            except UnicodeDecodeError:
                pass
    best = charset_normalizer.from_bytes(sample).best()
    if best is None:
        raise LoadError("undecodable file", "the text encoding could not be detected")
    return data.decode(_codec(best.encoding) or "utf-8", errors="replace")


def _sample(data: bytes, first_bad: int) -> bytes:
    """Up to _DETECT_SAMPLE bytes of whole lines from the first line that is not UTF-8 (detection stays fast on
    big files, and sees the non-ASCII text even after a long ASCII start)."""
    if len(data) <= _DETECT_SAMPLE:
        return data
    begin = data.rfind(b"\n", 0, first_bad) + 1
    end = data.rfind(b"\n", begin, begin + _DETECT_SAMPLE)
    return data[begin : end if end > first_bad else begin + _DETECT_SAMPLE]


def _damaged_utf8(sample: bytes) -> bool:
    """UTF-8 with a few bad bytes? Text in a legacy encoding rarely forms valid multi-byte UTF-8 sequences."""
    text = sample.decode("utf-8", errors="replace")
    damaged = text.count("\ufffd")
    non_ascii = len(text) - len(text.encode("ascii", errors="ignore")) - damaged
    return non_ascii >= 20 * damaged


def _looks_binary(data: bytes) -> bool:
    sample = data[:_BINARY_SAMPLE]
    if b"\x00" in sample:
        return True
    controls = len(sample.translate(None, _NOT_CONTROL))
    return controls > 2 and controls > len(sample) // 100  # a stray control byte in a text file is not binary


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:4096])
    return _codec(match.group(1).decode("ascii")) if match else None


def _codec(name: str) -> str | None:
    try:
        canonical = codecs.lookup(name).name
    except LookupError:
        return None
    return _SUPERSETS.get(canonical, canonical)
