"""HTTP GET for the syncs (``zhsearch sync wordpress``, ``zhsearch sync feed``): one request at a time, a
User-Agent naming zhsearch, and errors that name the url and what answered (a status, a timeout, no answer)."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from email.message import Message
from importlib.metadata import PackageNotFoundError, version

__all__ = ["FetchError", "Response", "USER_AGENT", "fetch"]

#: Seconds a request may take before the sync gives up on it.
TIMEOUT = 30.0
#: Bytes read at most from one answer.
MAX_BYTES = 64 << 20


def _version() -> str:
    try:
        return version("zhsearch")
    except PackageNotFoundError:  # a checkout used without installing it
        return "dev"


USER_AGENT = f"zhsearch/{_version()} (search index sync; one request at a time)"


class FetchError(Exception):
    """A request that got no usable answer: the message names the url and what answered."""


@dataclass
class Response:
    url: str
    status: int
    headers: Message = field(default_factory=Message)
    body: bytes = b""

    @property
    def content_type(self) -> str:
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()


_REASONS = {
    401: "401 Unauthorized: it asks for a login",
    403: "403 Forbidden: access refused (a login, a firewall or a security plugin)",
    404: "404 Not Found",
    429: "429 Too Many Requests",
}


def fetch(url: str, *, headers: dict[str, str] | None = None, timeout: float | None = None) -> Response:
    """GET ``url``; a 200 or 304 answer, or :class:`FetchError` naming the url and what answered.
    ``timeout``: seconds (default :data:`TIMEOUT`)."""
    timeout = TIMEOUT if timeout is None else timeout
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Response(answer.geturl(), answer.status, answer.headers, answer.read(MAX_BYTES))
    except urllib.error.HTTPError as err:
        with err:
            if err.code == 304:
                return Response(url, 304, err.headers)
            what = _REASONS.get(err.code) or f"{err.code} {err.reason}"
            raise FetchError(f"{url}: answered {what}") from None
    except urllib.error.URLError as err:
        reason = err.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            raise FetchError(f"{url}: no answer within {timeout:g} s (timeout)") from None
        if isinstance(reason, ConnectionRefusedError):
            raise FetchError(f"{url}: no answer (connection refused: nothing listens there)") from None
        if isinstance(reason, socket.gaierror):
            raise FetchError(f"{url}: no such host ({reason.strerror or reason})") from None
        raise FetchError(f"{url}: no answer ({getattr(reason, 'strerror', None) or reason})") from None
    except TimeoutError:
        raise FetchError(f"{url}: no answer within {timeout:g} s (timeout)") from None
    except (OSError, ValueError) as exc:  # a reset connection, a url urllib cannot request
        raise FetchError(f"{url}: no answer ({exc})") from None
