"""A real WordPress for the sync tests: Debian's ``wordpress`` (6.1) on ``php -S``, a throw-away MariaDB.

The site is stood up once per test session (about 8 s) and torn down at exit: a MariaDB data directory made by
``mariadb-install-db``, ``mariadbd`` on a Unix socket only, a copy of ``/usr/share/wordpress`` (``cp -rL``:
Debian's copy links its config into /etc) with its own ``wp-config.php``, ``wp_install()`` from a PHP script,
and ``php -S 127.0.0.1:PORT``. The copy gets a minimal classic theme (the title of each post of the main query,
as a theme renders search results) and the zhsearch plugin of ``integrations/wordpress/zhsearch``.

Without the Debian packages the tests that use :func:`wordpress_site` are skipped with the command that installs
them, except when ``ZHSEARCH_REQUIRE_WORDPRESS=1`` (set by ``.ci/run``): then that is a failure.
"""

from __future__ import annotations

import atexit
import getpass
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

WORDPRESS = Path("/usr/share/wordpress")
PLUGIN = Path(__file__).resolve().parent.parent / "integrations" / "wordpress" / "zhsearch"
PACKAGES = "wordpress php-cli php-mysql mariadb-server"
_NEEDED = ("php", "mariadbd", "mariadb-install-db", "mariadb")

_THEME_STYLE = "/*\nTheme Name: zhsearch test\n*/\n"
# the main query's posts, one <li> each, as a theme's search page lists them
_THEME_INDEX = """<?php ?><!doctype html><html><head><meta charset="utf-8"><title><?php wp_title(); ?></title>
</head><body><ul id="results" data-found="<?php global $wp_query; echo (int) $wp_query->found_posts; ?>">
<?php while ( have_posts() ) : the_post(); ?><li data-id="<?php the_ID(); ?>"><?php the_title(); ?></li>
<?php endwhile; ?></ul></body></html>
"""

_CONFIG = """<?php
define('DB_NAME', 'wordpress');
define('DB_USER', 'root');
define('DB_PASSWORD', '');
define('DB_HOST', 'localhost:{socket}');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('WP_HOME', '{url}');
define('WP_SITEURL', '{url}');
define('AUTH_KEY', 'test'); define('SECURE_AUTH_KEY', 'test'); define('LOGGED_IN_KEY', 'test');
define('NONCE_KEY', 'test'); define('AUTH_SALT', 'test'); define('SECURE_AUTH_SALT', 'test');
define('LOGGED_IN_SALT', 'test'); define('NONCE_SALT', 'test');
define('DISABLE_WP_CRON', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('WP_ACCESSIBLE_HOSTS', '127.0.0.1,localhost');
$table_prefix = 'wp_';
if ( ! defined( 'ABSPATH' ) ) define( 'ABSPATH', __DIR__ . '/' );
require_once ABSPATH . 'wp-settings.php';
"""

_INSTALL = """
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
wp_install('新闻网', 'admin', 'admin@example.com', true, '', 'admin-password');
update_option('timezone_string', 'Asia/Shanghai');
update_option('template', 'zhsearch-test');
update_option('stylesheet', 'zhsearch-test');
update_option('posts_per_page', 10);
wp_delete_post(1, true);
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _missing() -> list[str]:
    return [name for name in _NEEDED if shutil.which(name) is None and not Path("/usr/sbin", name).exists()]


def _which(name: str) -> str:
    return shutil.which(name) or str(Path("/usr/sbin", name))


class WordPressSite:
    """A running WordPress: ``url``, :meth:`php` to run code inside it, :meth:`get` to request a page."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.host = f"127.0.0.1:{self.port}"
        self.socket = root / "mysql.sock"
        self.site = root / "site"
        self._processes: list[subprocess.Popen[bytes]] = []

    def start(self) -> WordPressSite:
        self._start_database()
        shutil.copytree(WORDPRESS, self.site, symlinks=False)  # cp -rL: WordPress resolves links
        (self.site / "wp-config.php").write_text(
            _CONFIG.format(socket=self.socket, url=self.url), encoding="utf-8"
        )
        theme = self.site / "wp-content" / "themes" / "zhsearch-test"
        theme.mkdir(parents=True)
        (theme / "style.css").write_text(_THEME_STYLE, encoding="utf-8")
        (theme / "index.php").write_text(_THEME_INDEX, encoding="utf-8")
        if PLUGIN.is_dir():
            shutil.copytree(PLUGIN, self.site / "wp-content" / "plugins" / "zhsearch")
        self.php(_INSTALL, installing=True)
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "2"}
        with open(self.root / "php.log", "wb") as log:  # the server keeps its own descriptor
            server = subprocess.Popen(
                [
                    _which("php"),
                    "-d",
                    "opcache.enable_cli=1",
                    "-S",
                    f"127.0.0.1:{self.port}",
                    "-t",
                    str(self.site),
                ],
                cwd=self.site,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        self._processes.append(server)
        self._wait(lambda: self._listening(self.port), "php -S")
        return self

    def _start_database(self) -> None:
        data = self.root / "mysql"
        tmpdir = (
            self.root / "mysql-tmp"
        )  # its own: bootstraps running at once collide on temporary tables in /tmp
        tmpdir.mkdir()
        user = getpass.getuser()
        install = subprocess.run(
            [
                _which("mariadb-install-db"),
                "--no-defaults",  # not the machine's my.cnf
                f"--datadir={data}",
                f"--tmpdir={tmpdir}",
                f"--user={user}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
            ],
            capture_output=True,
            text=True,
        )
        if install.returncode:
            raise RuntimeError(f"mariadb-install-db failed: {install.stdout[-2000:]}{install.stderr[-2000:]}")
        with open(self.root / "mariadbd.log", "wb") as log:
            server = subprocess.Popen(
                [
                    _which("mariadbd"),
                    "--no-defaults",
                    f"--datadir={data}",
                    f"--tmpdir={tmpdir}",
                    f"--socket={self.socket}",
                    f"--pid-file={self.root / 'mariadbd.pid'}",
                    "--skip-networking",
                    f"--user={user}",
                    "--innodb-buffer-pool-size=32M",
                    "--innodb-flush-log-at-trx-commit=0",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._processes.append(server)
        self._wait(self.socket.exists, "mariadbd")
        subprocess.run(
            [
                _which("mariadb"),
                "--no-defaults",
                f"--socket={self.socket}",
                "-uroot",
                "-e",
                "CREATE DATABASE wordpress CHARACTER SET utf8mb4",
            ],
            check=True,
            capture_output=True,
        )

    def _wait(self, ready: Any, what: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if ready():
                return
            for process in self._processes:
                if process.poll() is not None:
                    raise RuntimeError(f"{what} exited with {process.returncode} (logs in {self.root})")
            time.sleep(0.05)
        raise RuntimeError(f"{what} did not start within {timeout} s (logs in {self.root})")

    @staticmethod
    def _listening(port: int) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    def php(self, code: str, installing: bool = False) -> str:
        """Run PHP ``code`` inside the site (after wp-load.php); what it printed."""
        script = self.root / "run.php"
        head = "<?php\n$_SERVER['HTTP_HOST'] = '" + self.host + "';\n"
        if installing:
            head += "define('WP_INSTALLING', true);\n"
        head += f"require_once '{self.site}/wp-load.php';\n"
        head += "require_once ABSPATH . 'wp-admin/includes/plugin.php';\n"
        script.write_text(head + code, encoding="utf-8")
        done = subprocess.run([_which("php"), str(script)], capture_output=True, cwd=self.site, timeout=300)
        out = done.stdout.decode("utf-8", "replace")
        if done.returncode != 0 or "Fatal error" in out:
            raise RuntimeError(
                f"PHP failed ({done.returncode}): {out}\n{done.stderr.decode('utf-8', 'replace')}"
            )
        return out

    def php_json(self, code: str) -> Any:
        """Run PHP ``code`` that echoes one JSON value; that value."""
        return json.loads(self.php(code).strip().splitlines()[-1])

    def get(self, path: str, timeout: float = 30.0) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=timeout) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as err:
            with err:
                return err.code, err.read().decode("utf-8", "replace")

    def stop(self) -> None:
        for process in reversed(self._processes):
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


_SITE: WordPressSite | None = None


def wordpress_site() -> WordPressSite:
    """The session's WordPress (started at the first call, stopped at exit), or a skip (a failure under
    ``ZHSEARCH_REQUIRE_WORDPRESS=1``) when the Debian packages are missing."""
    global _SITE
    missing = _missing() + ([] if WORDPRESS.is_dir() else [str(WORDPRESS)])
    if missing:
        message = f"WordPress is not installed (missing {', '.join(missing)}: apt-get install {PACKAGES})"
        if os.environ.get("ZHSEARCH_REQUIRE_WORDPRESS"):
            pytest.fail(message + " but ZHSEARCH_REQUIRE_WORDPRESS is set")
        pytest.skip(message)
    if _SITE is None:
        site = WordPressSite(Path(tempfile.mkdtemp(prefix="zhsearch-wp-")))
        atexit.register(site.stop)
        site.start()
        _SITE = site
    return _SITE


def insert_posts(site: WordPressSite, posts: list[dict[str, Any]]) -> list[int]:
    """``wp_insert_post`` of published posts, in one PHP run; each a dict of ``wp_insert_post`` fields
    (post_title, post_content, tags_input, post_author, post_date...) with ``categories``: names (made when
    missing). Their ids."""
    code = (
        f"$posts = json_decode({_php_string(json.dumps(posts, ensure_ascii=False))}, true);\n"
        "$ids = array();\n"
        "foreach ($posts as $post) {\n"
        "  $cats = array();\n"
        "  foreach ((isset($post['categories']) ? $post['categories'] : array()) as $name) {\n"
        "    $t = term_exists($name, 'category'); if (!$t) { $t = wp_insert_term($name, 'category'); }\n"
        "    $cats[] = (int) $t['term_id'];\n"
        "  }\n"
        "  unset($post['categories']);\n"
        "  if ($cats) { $post['post_category'] = $cats; }\n"
        "  if (!isset($post['post_status'])) { $post['post_status'] = 'publish'; }\n"
        "  $id = wp_insert_post(wp_slash($post), true);\n"
        "  if (is_wp_error($id)) { echo 'Fatal error: ' . $id->get_error_message(); exit(1); }\n"
        "  $ids[] = $id;\n"
        "}\n"
        "echo json_encode($ids);\n"
    )
    return [int(i) for i in site.php_json(code)]


def insert_post(site: WordPressSite, title: str, content: str, **fields: Any) -> int:
    """One published post (see :func:`insert_posts`); its id."""
    return insert_posts(site, [{"post_title": title, "post_content": content, **fields}])[0]


def _php_string(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


@pytest.fixture(scope="session")
def wordpress() -> WordPressSite:
    return wordpress_site()
