"""What ``pip install .`` installs: pyproject.toml's package list and package data cover the source tree.

A wheel is not built here (that needs the network for the build requirements); checked by hand with
``python -m venv /tmp/v && /tmp/v/bin/pip install .``: ``zhsearch --help`` runs and the templates are there.
"""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

from setuptools import find_packages

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SETUPTOOLS = PYPROJECT["tool"]["setuptools"]
TOP = ("indexer", "search", "web", "zhsearch")


def _source_dirs() -> set[str]:
    """Every directory under the top-level packages that holds Python modules, as a dotted name."""
    out = set()
    for top in TOP:
        for module in (ROOT / top).rglob("*.py"):
            if "__pycache__" not in module.parts:
                out.add(".".join(module.parent.relative_to(ROOT).parts))
    return out


def test_every_directory_of_modules_is_an_installed_package() -> None:
    found = set(find_packages(where=str(ROOT), include=SETUPTOOLS["packages"]["find"]["include"]))
    assert _source_dirs() <= found, f"not installed (no __init__.py?): {sorted(_source_dirs() - found)}"
    assert not {p for p in found if p.split(".")[0] not in TOP}, found  # no bench, tests or docs
    assert SETUPTOOLS["package-dir"] == {"": "."}  # an editable install is a plain .pth, without a warning


def test_every_data_file_of_the_packages_is_package_data() -> None:
    data = SETUPTOOLS["package-data"]
    for top in TOP:
        patterns = data.get(top, [])
        for path in (ROOT / top).rglob("*"):
            if not path.is_file() or path.suffix in (".py", ".pyc") or "__pycache__" in path.parts:
                continue
            relative = path.relative_to(ROOT / top).as_posix()
            # setuptools' "**" spans directories; fnmatch's "*" does too
            assert any(fnmatch.fnmatch(relative, p.replace("**/", "")) for p in patterns), relative
    assert {"web"} <= set(data) and any((ROOT / "web" / "templates").rglob("*.html"))
