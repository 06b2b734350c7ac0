"""The ``zhsearch`` command line: one Click group, verbs as commands."""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

import click

from indexer.analysis import read_userdict
from indexer.config import setting
from indexer.normalize import without_lone_surrogates
from indexer.options import index_option
from indexer.progress import LogProgress, Progress, TerminalProgress
from indexer.store import StoreError
from zhsearch.dictsuggest import dict_suggest

MAX_PROBLEMS_SHOWN = 20


_index_option = index_option()


def _userdict_option(f):  # type: ignore[no-untyped-def]
    return click.option(
        "--userdict",
        type=click.Path(dir_okay=False, path_type=Path),
        default=lambda: setting("USERDICT"),
        show_default="index_data/userdict.txt",
        envvar="ZHSEARCH_USERDICT",
        help="User dictionary file (jieba format: word [freq] [tag]).",
    )(f)


class LazyGroup(click.Group):
    """A group whose commands from the other layers are imported when asked for (click's lazy loading recipe):
    ``zhsearch reindex`` does not import the search engine, nor ``zhsearch search`` the web server."""

    #: command name -> "module.attribute" of its click command
    LAZY = {
        "search": "search.cli.search_command",
        "serve": "web.cli.serve_command",
        "stats": "zhsearch.stats.stats_command",
        "sync": "zhsearch.sync.sync_group",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.LAZY])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = self.LAZY.get(cmd_name)
        if target is None:
            return super().get_command(ctx, cmd_name)
        module, name = target.rsplit(".", 1)
        command = getattr(importlib.import_module(module), name)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="zhsearch")
def cli() -> None:
    """zhsearch: full-text search for Chinese news articles."""


def _load_userdict(path: Path) -> tuple:
    try:
        return read_userdict(path)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise click.ClickException(f"cannot read the user dictionary {path}: {exc}") from None


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_index_option
@_userdict_option
@click.option(
    "--full", is_flag=True, help="Build a fresh index beside the live one and swap it in atomically."
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Worker processes for analysis and segment writing (default: number of CPUs).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the final summary as JSON on stdout.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar (default: on when stderr is a terminal; plain periodic lines otherwise).",
)
def reindex(
    paths: tuple[Path, ...],
    index_dir: Path,
    userdict: Path,
    full: bool,
    jobs: int | None,
    as_json: bool,
    progress: bool | None,
) -> None:
    """Build or update the index from article files and directories.

    PATHS default to index_data/articles (env ZHSEARCH_ARTICLES_DIR). Incremental by default: new articles are
    added, changed ones updated, and articles whose file under PATHS no longer holds them are deleted.
    """
    from indexer.writer import reindex as run_reindex

    sources = list(paths) or [Path(setting("ARTICLES_DIR"))]
    entries = _load_userdict(userdict)
    if progress is None:
        reporter: Progress = TerminalProgress() if sys.stderr.isatty() else LogProgress()
    else:
        reporter = TerminalProgress() if progress else Progress()
    try:
        summary = run_reindex(
            sources,
            index_dir,
            full=full,
            jobs=jobs,
            userdict=entries,
            progress=reporter,
            log=lambda m: click.echo(m, err=True),
        )
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    if summary.stale_lock_pid:
        click.echo(f"note: broke a stale lock left by process {summary.stale_lock_pid}", err=True)
    if summary.reason:
        click.echo(f"note: {summary.reason}", err=True)
    for problem in summary.problems[:MAX_PROBLEMS_SHOWN]:
        click.echo(f"skipped: {problem}", err=True)
    total_problems = sum(n for r, n in summary.skipped.items() if r != "superseded stub")
    if total_problems > MAX_PROBLEMS_SHOWN:
        click.echo(f"skipped: … and {total_problems - MAX_PROBLEMS_SHOWN} more", err=True)
    for warning in summary.warnings[:MAX_PROBLEMS_SHOWN]:
        click.echo(f"warning: {warning}", err=True)
    total_warnings = sum(summary.warned.values())
    if total_warnings > MAX_PROBLEMS_SHOWN:
        click.echo(f"warning: … and {total_warnings - MAX_PROBLEMS_SHOWN} more", err=True)
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
        return
    skipped = ", ".join(f"{n} {r}" for r, n in summary.skipped.most_common())
    click.echo(
        f"{'full rebuild' if summary.mode == 'full' else 'incremental reindex'}: "
        f"{summary.added:,} added, {summary.updated:,} updated, {summary.deleted:,} deleted, "
        f"{summary.unchanged:,} unchanged, {sum(summary.skipped.values()):,} skipped"
        + (f" ({skipped})" if skipped else "")
        + (f", {total_warnings:,} warnings" if total_warnings else "")
        + f" in {summary.seconds:.1f} s{_rate(summary.read, summary.seconds)}; "
        f"{summary.generation} holds {summary.documents:,} articles"
    )


#: Runs shorter than this, or with fewer articles read, print no rate (it would measure start-up, not reading).
MIN_RATE_SECONDS = 1.0
MIN_RATE_ARTICLES = 100


def _rate(read: int, seconds: float) -> str:
    """`` (1,234 articles/s)``, or nothing for a run too small for the figure to mean anything."""
    if read < MIN_RATE_ARTICLES or seconds < MIN_RATE_SECONDS:
        return ""
    return f" ({read / seconds:,.0f} articles/s)"


@cli.group(name="dict")
def dict_group() -> None:
    """Manage the user dictionary (words that must stay whole, e.g. 缅北, 电信网络诈骗)."""


dict_group.add_command(dict_suggest)


@dict_group.command(name="list")
@_userdict_option
def dict_list(userdict: Path) -> None:
    """List the words of the user dictionary."""
    for word, freq, tag in _load_userdict(userdict):
        click.echo(" ".join(str(x) for x in (word, freq, tag) if x is not None))


def _write_userdict(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    os.replace(tmp, path)


def _rebuild_note(index_dir: Path, userdict: Path) -> None:
    from indexer.analysis import dict_fingerprint
    from indexer.schema import schema_fingerprint
    from indexer.store import open_index

    try:
        ix = open_index(index_dir)
    except StoreError:
        return
    if schema_fingerprint(ix.schema) != dict_fingerprint(_load_userdict(userdict)):
        click.echo(
            f"the index at {index_dir} was built with another dictionary: "
            "the next `zhsearch reindex` does a full rebuild",
            err=True,
        )


def _raw_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8-sig").splitlines() if path.exists() else []
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read the user dictionary {path}: {exc}") from None


@dict_group.command(name="add")
@click.argument("words", nargs=-1, required=True)
@click.option(
    "--freq", type=click.IntRange(min=1), default=None, help="Word frequency (default: jieba suggests one)."
)
@click.option("--tag", default=None, help="Part-of-speech tag (e.g. nr, ns, nz); needs --freq.")
@_userdict_option
@_index_option
def dict_add(
    words: tuple[str, ...], freq: int | None, tag: str | None, userdict: Path, index_dir: Path
) -> None:
    """Add WORDS to the user dictionary (comments and other lines are kept)."""
    if tag and freq is None:
        raise click.BadParameter("--tag needs --freq (jieba's format is 'word freq tag')")
    known = {e[0] for e in _load_userdict(userdict)}
    lines = _raw_lines(userdict)
    for word in words:
        word = word.strip()
        if not word or any(c.isspace() for c in word):
            raise click.BadParameter(f"{word!r}: a dictionary word cannot be empty or contain spaces")
        if without_lone_surrogates(word) != word:  # bytes of the command line that are not UTF-8
            raise click.BadParameter(f"{word!r}: not UTF-8 text")
        if word in known:
            click.echo(f"{word}: already in {userdict}")
            continue
        lines.append(" ".join(str(x) for x in (word, freq, tag) if x is not None))
        known.add(word)
        click.echo(f"{word}: added to {userdict}")
    _write_userdict(userdict, lines)
    _rebuild_note(index_dir, userdict)


@dict_group.command(name="remove")
@click.argument("words", nargs=-1, required=True)
@_userdict_option
@_index_option
def dict_remove(words: tuple[str, ...], userdict: Path, index_dir: Path) -> None:
    """Remove WORDS from the user dictionary."""
    lines = _raw_lines(userdict)

    def word_of(line: str) -> str | None:
        parts = line.split()
        return parts[0] if parts and not parts[0].startswith("#") else None

    present = {word_of(line) for line in lines}
    for word in words:
        click.echo(f"{word}: {'removed' if word in present else 'not in the dictionary'}")
    _write_userdict(userdict, [line for line in lines if word_of(line) not in words])
    _rebuild_note(index_dir, userdict)


@cli.command()
@_index_option
@click.option(
    "--quick", is_flag=True, help="Only the pointer, table of contents and segment files (no full read)."
)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
def check(index_dir: Path, quick: bool, as_json: bool) -> None:
    """Check that the live index is whole and readable (exit status 1 if not).

    Reads every segment, stored article and posting of the live generation. A damaged index is repaired by
    `zhsearch reindex --full`, which builds a new generation from the article files.
    """
    from indexer.check import check_index

    report = check_index(index_dir, deep=not quick)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
    elif report.ok:
        click.echo(
            f"{index_dir}: {report.generation} (commit {report.commit}) is whole: "
            f"{report.documents:,} articles in {report.segments} segment(s)"
        )
    elif report.missing:
        click.echo(f"{index_dir}: there is no index here; `zhsearch reindex` builds one", err=True)
    else:
        for problem in report.problems:
            click.echo(f"problem: {problem}", err=True)
        click.echo(
            f"{index_dir}: damaged; `zhsearch reindex --full` rebuilds it from the article files", err=True
        )
    if not report.ok:
        sys.exit(1)


@cli.command(name="snapshot")
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@_index_option
def snapshot_command(dest: Path, index_dir: Path) -> None:
    """Write a consistent copy of the live index into DEST (for read replicas).

    DEST is an index directory of its own: `zhsearch serve --index DEST` serves it, and a later snapshot into
    the same DEST is switched in atomically while it is served, the previous copy removed. Copy DEST to other
    hosts with rsync (see docs/operations.md).
    """
    from indexer.snapshot import snapshot

    try:
        summary = snapshot(index_dir, dest)
    except StoreError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(
        f"snapshot of {summary.source} ({summary.documents:,} articles, {summary.files} files, "
        f"{summary.bytes / 1e6:,.1f} MB) written to {dest / summary.generation}; {dest}/CURRENT points at it"
    )


def main() -> None:
    """Entry point of the ``zhsearch`` script."""
    cli(prog_name="zhsearch")
