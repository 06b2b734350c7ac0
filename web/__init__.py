"""The zhsearch web app: search page, article pages, JSON API, suggestions.

``flask --app web run`` serves it for development; ``zhsearch serve`` runs it under gunicorn. Importing this
package does not import Flask (``zhsearch`` registers ``serve`` without paying for it): ``create_app`` does.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

    from web.config import WebConfig
    from web.engine import Engine
    from web.security import RateLimiter

#: Largest request body accepted (the API takes none; anything bigger is a 413).
MAX_CONTENT_LENGTH = 64 * 1024


@dataclass
class WebState:
    """What the app keeps in ``app.extensions["zhsearch"]``."""

    settings: WebConfig
    engine: Engine
    limiter: RateLimiter | None


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app: defaults, then ``ZHSEARCH_*`` environment variables, then ``test_config`` (overrides)."""
    from flask import Flask

    from web import accesslog, admin, api, engine, errors, feeds, pages, security, stats
    from web.config import WebConfig, defaults

    app = Flask(__name__)
    app.url_map.merge_slashes = False  # an article id may hold "//"; no redirects in the API
    app.config.from_mapping(defaults(), MAX_CONTENT_LENGTH=MAX_CONTENT_LENGTH)
    app.config.from_prefixed_env("ZHSEARCH")
    if test_config is not None:
        app.config.from_mapping(test_config)
    settings = WebConfig.from_mapping(app.config)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    errors.init_app(app)
    accesslog.init_app(app, settings)
    search_engine = engine.init_app(app, settings)
    if settings.metrics:  # before the other hooks, so that a request they stop is counted
        from web import metrics

        metrics.init_app(app, search_engine)
    limiter = security.init_app(app, settings)
    app.extensions["zhsearch"] = WebState(settings, search_engine, limiter)
    pages.init_app(app)
    app.register_blueprint(api.bp)
    feeds.init_app(app)
    stats.init_app(app, settings)
    admin.init_app(app, settings)  # only when ZHSEARCH_ADMIN_TOKEN is set
    app.register_blueprint(pages.bp)
    return app
