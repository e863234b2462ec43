"""What every ``badges`` command shares: the clock, the instance, errors and input.

Commands import this module, never each other. A command gets the time from
:func:`now` (the :class:`CliContext`'s clock, which tests replace with
``main(obj=CliContext(clock=...))``) and opens the service with
:func:`open_instance`, which finds the instance the same way from any folder
(:func:`issuer.config.default_instance_path`) and names the database it
opened when something the command looked for is not there.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from pathlib import Path
from typing import Any
from typing import TypeVar

import click

from badges.errors import BadgesError
from badges.intake import parse_json
from verifier.clock import Clock
from verifier.clock import system_clock

EXIT_UNREADABLE = 2
T = TypeVar("T")


class UsageProblem(click.ClickException):
    """A clear message and exit code 2."""

    exit_code = EXIT_UNREADABLE


@dataclass
class CliContext:
    """Per-invocation state: the clock, and the database last opened (for hints).

    Attributes:
        clock: the source of "now" for every command of this invocation.
        opened: a printable description of the database :func:`open_instance` opened.
    """

    clock: Clock = system_clock
    opened: str | None = field(default=None)


def current() -> CliContext:
    """The running command's :class:`CliContext` (a default one outside a command)."""
    ctx = click.get_current_context(silent=True)
    found = ctx.find_object(CliContext) if ctx is not None else None
    if found is None:
        found = CliContext()
        if ctx is not None:
            ctx.obj = found
    return found


def now() -> datetime:
    """The current time, from the invocation's clock."""
    return current().clock()


def read_bytes(path: str) -> bytes:
    """The bytes of ``path`` (``-`` for standard input), or a clear usage error."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageProblem(f"cannot read {path}: {exc.strerror}") from None


def read_json(path: str) -> Any:
    """The JSON value in ``path``, read with the core's bounded reader."""
    try:
        return parse_json(read_bytes(path))
    except BadgesError as exc:
        raise UsageProblem(f"{path}: {exc.message} ({exc.code})") from None


def where() -> str:
    """Which database this invocation opened (for "not found" hints)."""
    opened = current().opened
    return f" (in {opened})" if opened else ""


def run(fn: Callable[[], T]) -> T:
    """Run a service call; a ServiceError becomes a clear message and exit code 2.

    When the service did not find something, the message names the database
    that was searched and how to choose another, since the usual cause is a
    command run against a different instance than the one that holds the data.
    """
    from issuer.services.errors import ServiceError

    try:
        return fn()
    except ServiceError as exc:
        hint = ""
        if exc.status == 404:
            hint = where() + "; set BADGES_INSTANCE_PATH or BADGES_DATABASE_URL to use another"
        raise UsageProblem(f"{exc.message} ({exc.code}){hint}") from None


def problems(fn: Callable[[], T]) -> T:
    """Run a service call; a refused definition lists its problems by field.

    A :class:`~issuer.services.errors.ServiceError` carrying ``problems`` (a
    refused achievement or pathway definition) becomes a usage error listing
    each as ``field: problem``, one per line; any other error is left to
    :func:`run`.
    """
    from issuer.services.errors import ServiceError

    try:
        return fn()
    except ServiceError as exc:
        if not exc.problems:
            raise
        lines = "\n".join(f"  {p['field']}: {p['problem']}" for p in exc.problems)
        raise UsageProblem(f"{exc.code}: {len(exc.problems)} problem"
                           f"{'s' if len(exc.problems) != 1 else ''}\n{lines}") from None


def describe_database(url: str) -> str:
    """A database URL fit to print: SQLite as its file, others without a password."""
    if url.startswith("sqlite:///"):
        return f"the SQLite database {url[len('sqlite:///'):]}"
    from sqlalchemy.engine import make_url

    try:
        return f"the database {make_url(url).render_as_string(hide_password=True)}"
    except Exception:  # noqa: BLE001 - any malformed URL: say nothing more about it
        return "the configured database"


@contextmanager
def open_instance() -> Iterator[tuple[Any, Any]]:
    """Settings and an up-to-date database (closed afterwards), or a clear error.

    Yields:
        ``(settings, database)``: :class:`issuer.config.Settings` (with the
        invocation's clock) and :class:`issuer.db.Database`.
    """
    from issuer.config import ConfigError
    from issuer.config import load_settings
    from issuer.db import Database
    from issuer.migrate import upgrade

    state = current()
    try:
        settings = load_settings(overrides={"clock": state.clock})
    except ConfigError as exc:
        raise UsageProblem(str(exc)) from None
    state.opened = describe_database(settings.database_url)
    try:
        upgrade(settings.database_url)
    except Exception as exc:  # noqa: BLE001 - any driver error becomes a clear message
        raise UsageProblem(f"cannot open {state.opened}: {exc}") from None
    database = Database(settings.database_url)
    try:
        yield settings, database
    finally:
        database.dispose()
