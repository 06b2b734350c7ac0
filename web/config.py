"""Settings of the web app, each declared once with its default and help (like :mod:`indexer.config`).

``create_app`` starts from these defaults, then reads ``ZHSEARCH_<NAME>`` environment variables, then the
mapping given to it. :class:`WebConfig` turns the raw values into typed ones once, at start-up, so a bad value
fails there with a clear message instead of on some request.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from indexer.config import Setting
from search.fresh import FRESH_HALF_LIFE, parse_half_life

WEB_SETTINGS: tuple[Setting, ...] = (
    Setting("HOST", "127.0.0.1", "Address `zhsearch serve` listens on."),
    Setting("PORT", "5000", "Port `zhsearch serve` listens on."),
    Setting("WORKERS", "2", "Worker processes of `zhsearch serve` (each opens the read-only index itself)."),
    Setting("THREADS", "4", "Threads per worker process of `zhsearch serve`."),
    Setting(
        "MALLOC_MMAP_THRESHOLD",
        "1048576",
        "Bytes from which an allocation of `zhsearch serve` is mapped on its own and given back to the system when freed (glibc's `mallopt(M_MMAP_THRESHOLD)`: a worker's memory returns near its resting size after a burst of concurrent queries); `0`: glibc's own threshold, which grows with the largest block freed.",
    ),
    Setting(
        "CORS_ORIGINS",
        "*",
        "Origins allowed to call /api from a browser: `*`, or origins separated by spaces or commas; empty: none.",
    ),
    Setting(
        "RATE_LIMIT",
        "",
        "Requests per client address and worker process (`N/second`, `N/minute`, `N/hour`, e.g. `120/minute`); empty or `0`: off (limit at the load balancer instead, see docs/operations.md).",
    ),
    Setting("TRUSTED_PROXIES", "0", "Reverse proxies in front of the app whose X-Forwarded-For is believed."),
    Setting(
        "REFRESH_SECONDS", "1", "How often (at most) a worker checks for a new index generation, in seconds."
    ),
    Setting("SUGGEST_TERMS", "20000", "Most frequent index terms offered as suggestions."),
    Setting("SUGGEST_TITLES", "20000", "Article titles (at most) offered as suggestions."),
    Setting(
        "RESULT_CACHE",
        "1024",
        "Result pages each worker process keeps (LRU), dropped when a new index generation or commit is served; `0`: no cache.",
    ),
    FRESH_HALF_LIFE,
    Setting(
        "METRICS",
        "1",
        "`GET /metrics` in Prometheus text format (requests, latency, result cache, index facts), all workers added up; no token: keep the port private or block the path at the proxy; `0`: off (404).",
    ),
    Setting("LOG_JSON", "0", "Access and error log lines as JSON objects (`zhsearch serve --log-json`)."),
    Setting(
        "STATS_DAYS",
        "90",
        "Days of query stats kept (`zhsearch stats`, `/api/admin/stats`): per day and normalized query, the searches and their hits, in `QUERYSTATS.sqlite3` in the index directory; no address or cookie; `0`: off.",
    ),
    Setting(
        "ADMIN_TOKEN",
        "",
        "Bearer token of the admin API (`/api/admin/status`, `/api/admin/reindex`, `/api/admin/stats`); empty: the admin API is off (404).",
    ),
)

_RATE_UNITS = {"s": 1.0, "second": 1.0, "m": 60.0, "minute": 60.0, "h": 3600.0, "hour": 3600.0}
_RATE_RE = re.compile(r"^\s*(\d+)\s*(?:/|per)\s*(\w+)\s*$")


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("", "0", "false", "no", "off", "none"):
        return False
    raise ValueError(f"{name}: expected a yes/no value, got {value!r}")


def _as_int(name: str, value: Any, minimum: int = 0) -> int:
    try:
        number = int(str(value).strip())
    except ValueError:
        raise ValueError(f"{name}: expected a whole number, got {value!r}") from None
    if number < minimum:
        raise ValueError(f"{name}: must be at least {minimum}, got {number}")
    return number


#: glibc's largest ``M_MMAP_THRESHOLD`` on 64-bit systems (half its largest heap).
MMAP_THRESHOLD_MAX = 32 * 1024 * 1024


def _as_mmap_threshold(value: Any) -> int:
    number = _as_int("MALLOC_MMAP_THRESHOLD", value)
    if number > MMAP_THRESHOLD_MAX:
        raise ValueError(
            f"MALLOC_MMAP_THRESHOLD: must be at most {MMAP_THRESHOLD_MAX} (32 MiB), got {number}"
        )
    return number


def _as_float(name: str, value: Any) -> float:
    try:
        number = float(str(value).strip())
    except ValueError:
        raise ValueError(f"{name}: expected a number of seconds, got {value!r}") from None
    if number < 0:
        raise ValueError(f"{name}: must not be negative, got {number}")
    return number


def parse_rate(value: Any) -> tuple[int, float] | None:
    """``"120/minute"`` -> ``(120, 60.0)``; empty, ``0`` or ``off`` -> None (no limit)."""
    text = "" if value is None or value is False else str(value).strip().lower()
    if text in ("", "0", "off", "none", "false"):
        return None
    m = _RATE_RE.match(text)
    unit = m and (m.group(2)[:-1] if m.group(2).endswith("s") and m.group(2) != "s" else m.group(2))
    if not m or unit not in _RATE_UNITS:
        raise ValueError(f"RATE_LIMIT: expected e.g. '120/minute', got {value!r}")
    count = int(m.group(1))
    return None if count == 0 else (count, _RATE_UNITS[unit])


def parse_origins(value: Any) -> tuple[str, ...]:
    """``"*"``, ``"https://a.example, https://b.example"`` or a list -> a tuple of origins (no trailing slash)."""
    items = value if isinstance(value, list | tuple) else re.split(r"[\s,]+", str(value or ""))
    return tuple(str(o).strip().rstrip("/") for o in items if str(o).strip())


@dataclass(frozen=True)
class WebConfig:
    """The typed web settings of one app."""

    index_dir: str
    cors_origins: tuple[str, ...]
    rate_limit: tuple[int, float] | None
    trusted_proxies: int
    refresh_seconds: float
    suggest_terms: int
    suggest_titles: int
    log_json: bool
    admin_token: str = ""
    result_cache: int = 1024
    synonyms: str = ""
    userdict: str = ""
    articles_dir: str = ""
    stats_days: int = 90
    fresh_half_life_days: float = float(FRESH_HALF_LIFE.default)
    metrics: bool = True
    malloc_mmap_threshold: int = 1048576

    @classmethod
    def from_mapping(cls, config: Mapping[str, Any]) -> WebConfig:
        return cls(
            index_dir=str(config["INDEX_DIR"]),
            cors_origins=parse_origins(config["CORS_ORIGINS"]),
            rate_limit=parse_rate(config["RATE_LIMIT"]),
            trusted_proxies=_as_int("TRUSTED_PROXIES", config["TRUSTED_PROXIES"]),
            refresh_seconds=_as_float("REFRESH_SECONDS", config["REFRESH_SECONDS"]),
            suggest_terms=_as_int("SUGGEST_TERMS", config["SUGGEST_TERMS"]),
            suggest_titles=_as_int("SUGGEST_TITLES", config["SUGGEST_TITLES"]),
            log_json=_as_bool("LOG_JSON", config["LOG_JSON"]),
            admin_token=str(config.get("ADMIN_TOKEN") or "").strip(),
            result_cache=_as_int("RESULT_CACHE", config.get("RESULT_CACHE", "1024")),
            synonyms=str(config.get("SYNONYMS") or ""),
            userdict=str(config.get("USERDICT") or ""),
            articles_dir=str(config.get("ARTICLES_DIR") or ""),
            stats_days=_as_int("STATS_DAYS", config.get("STATS_DAYS", "90")),
            fresh_half_life_days=parse_half_life(config.get("FRESH_HALF_LIFE_DAYS", FRESH_HALF_LIFE.default)),
            metrics=_as_bool("METRICS", config.get("METRICS", "1")),
            malloc_mmap_threshold=_as_mmap_threshold(config.get("MALLOC_MMAP_THRESHOLD", "1048576")),
        )


def defaults() -> dict[str, str]:
    """The default value of every web setting, and of the shared ones (index, dictionary, articles, synonyms)."""
    from indexer.config import SETTINGS

    shared = ("INDEX_DIR", "USERDICT", "ARTICLES_DIR", "SYNONYMS")
    out = {s.name: s.default for s in SETTINGS if s.name in shared}
    out.update({s.name: s.default for s in WEB_SETTINGS})
    return out


_BY_NAME = {s.name: s for s in WEB_SETTINGS}


def setting(name: str) -> str:
    """The value of a web setting: its environment variable, else its default."""
    return _BY_NAME[name].value()
