"""Response headers (security, CORS) and the per-client rate limit."""

from __future__ import annotations

import math
import threading
import time

from flask import Flask, Response, current_app, request
from werkzeug.middleware.proxy_fix import ProxyFix

from web.config import WebConfig
from web.errors import ApiError

#: Pages load scripts, styles and images from this app only; no inline script, no framing.
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
#: JSON is never rendered as a document.
API_CSP = "default-src 'none'; frame-ancestors 'none'"

#: Requests not counted by the rate limit (cheap, and needed by load balancers and every page).
_UNLIMITED_PREFIXES = ("/static/", "/healthz", "/metrics", "/favicon.ico")
#: Blueprints that apply the limit themselves, after their own checks (the admin API: 401/403 before any 429).
_LIMITED_BY_BLUEPRINT = frozenset({"admin"})


class RateLimiter:
    """A sliding-window limit per key (two fixed windows weighted, as nginx and Cloudflare approximate it).

    The state lives in the worker process: with N workers a client gets at most N times the limit, which is
    what a per-process limit can promise without shared storage.
    """

    def __init__(self, limit: int, period: float, clock: object = time.monotonic) -> None:
        self.limit = limit
        self.period = period
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[int, int, int]] = {}  # key -> (window number, count, previous count)

    def hit(self, key: str) -> tuple[bool, int, float]:
        """Count one request; return (allowed, remaining, seconds until the next one is allowed)."""
        now = self._clock()  # type: ignore[operator]
        window = int(now // self.period)
        elapsed = (now % self.period) / self.period
        with self._lock:
            if len(self._windows) > 100_000:
                self._windows = {k: v for k, v in self._windows.items() if v[0] >= window - 1}
            w, count, prev = self._windows.get(key, (window, 0, 0))
            if w != window:
                prev = count if w == window - 1 else 0
                count = 0
            estimate = prev * (1 - elapsed) + count
            if estimate + 1 > self.limit:
                self._windows[key] = (window, count, prev)
                return False, 0, max(self.period * (1 - elapsed), 1.0)
            count += 1
            self._windows[key] = (window, count, prev)
            return True, max(0, int(self.limit - estimate - 1)), 0.0


def _settings() -> WebConfig:
    return current_app.extensions["zhsearch"].settings


def _rate_limit() -> None:
    if request.blueprint in _LIMITED_BY_BLUEPRINT:
        return  # its blueprint calls check_rate_limit() after its own checks
    check_rate_limit()


def check_rate_limit() -> None:
    """Count this request against its client's limit; raise the 429 ApiError when it is over."""
    limiter: RateLimiter | None = current_app.extensions["zhsearch"].limiter
    if limiter is None or request.path.startswith(_UNLIMITED_PREFIXES) or request.method == "OPTIONS":
        return
    allowed, remaining, retry = limiter.hit(request.remote_addr or "-")
    request.environ["zhsearch.rate_remaining"] = remaining
    if not allowed:
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests: at most {limiter.limit} per {limiter.period:g} s; retry in {math.ceil(retry)} s",
            {"Retry-After": str(math.ceil(retry))},
        )


def _cors(response: Response) -> None:
    origins = _settings().cors_origins
    if not origins or not request.path.startswith("/api/"):
        return
    origin = request.headers.get("Origin", "")
    if "*" in origins:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin.rstrip("/") in origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
    else:
        response.vary.add("Origin")
        return
    response.headers["Access-Control-Expose-Headers"] = (
        "Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining"
    )
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Content-Type"
        response.headers["Access-Control-Max-Age"] = "600"


def _headers(response: Response) -> Response:
    is_api = request.path.startswith("/api/") or request.path == "/healthz"
    response.headers.setdefault("Content-Security-Policy", API_CSP if is_api else PAGE_CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    _cors(response)
    limiter: RateLimiter | None = current_app.extensions["zhsearch"].limiter
    if limiter is not None and "zhsearch.rate_remaining" in request.environ:
        response.headers["X-RateLimit-Limit"] = str(limiter.limit)
        response.headers["X-RateLimit-Remaining"] = str(request.environ["zhsearch.rate_remaining"])
    return response


def _too_large() -> None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and (request.content_length or 0) > limit:
        raise ApiError(413, "payload_too_large", f"request body over {limit} bytes")


def init_app(app: Flask, settings: WebConfig) -> RateLimiter | None:
    """Install the headers, the body-size check and the rate limit; return the limiter (None: no limit)."""
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    app.before_request(_too_large)
    app.before_request(_rate_limit)
    app.after_request(_headers)
    if settings.rate_limit is None:
        return None
    return RateLimiter(*settings.rate_limit)
