"""``badges achievements create|update|publish|archive``: author achievements from files.

FILE is YAML or JSON with the JSON API's field names (README, "Authoring
achievements"). A refused file prints every problem, one per line as
``field: problem``, and exits 2 with nothing stored. Shares only
:mod:`issuer.cli.context` with the other command modules.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click

from issuer.cli.context import UsageProblem
from issuer.cli.context import now
from issuer.cli.context import open_instance
from issuer.cli.context import read_bytes
from issuer.cli.context import run


def _problems(fn: Callable[[], Any]) -> Any:
    """Run a service call; a refused definition lists its problems by field."""
    from issuer.services.errors import ServiceError

    try:
        return fn()
    except ServiceError as exc:
        if not exc.problems:
            raise
        lines = "\n".join(f"  {p['field']}: {p['problem']}" for p in exc.problems)
        raise UsageProblem(f"{exc.code}: {len(exc.problems)} problem"
                           f"{'s' if len(exc.problems) != 1 else ''}\n{lines}") from None


def _read(path: str) -> Any:
    from issuer.services import definition

    data = read_bytes(path)
    return run(lambda: _problems(lambda: definition.load(data, name=path)))


def _show(session: Any, achievement: Any, base_url: str, as_json: bool,
          note: str | None = None) -> None:
    from issuer.services import authoring

    if as_json:
        click.echo(json.dumps(authoring.document(session, achievement, base_url=base_url),
                              indent=2, ensure_ascii=False))
        return
    click.echo(f"{achievement.id}  {achievement.slug}  {achievement.status}  "
               f"version {authoring.version_number(achievement)}"
               + (f"  ({note})" if note else ""))


_json_option = click.option("--json", "as_json", is_flag=True,
                            help="Print the achievement as the API returns it.")


@click.command("create")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
@click.argument("file")
@_json_option
def create(slug: str, file: str, as_json: bool) -> None:
    """Create a draft achievement from FILE (YAML or JSON; - for standard input)."""
    from issuer.services import authoring
    from issuer.services import organizations

    body = _read(file)
    with open_instance() as (settings, database):
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            made = run(lambda: _problems(lambda: authoring.create(
                session, org, body, actor="cli", now=now())))
            _show(session, made, settings.base_url, as_json, "draft: publish it with "
                  f"'badges achievements publish --issuer {slug} {made.slug}'")


@click.command("update")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
@click.option("--achievement", "ref", default=None,
              help="Achievement id or slug (default: the file's slug).")
@click.argument("file")
@_json_option
def update(slug: str, ref: str | None, file: str, as_json: bool) -> None:
    """Replace an achievement's definition with FILE; a new version when it has awards."""
    from issuer.services import authoring
    from issuer.services import organizations

    body = _read(file)
    target = ref or (body.get("slug") if isinstance(body, dict) else None)
    if not isinstance(target, str) or not target:
        raise UsageProblem("name the achievement: --achievement ID_OR_SLUG, or a slug in "
                           "the file")
    with open_instance() as (settings, database):
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            found, new_version = run(lambda: _problems(lambda: authoring.update(
                session, org, target, body, actor="cli", now=now())))
            _show(session, found, settings.base_url, as_json,
                  "new version: credentials already issued keep the previous one"
                  if new_version else "updated")


def _move(action: str) -> click.Command:
    @click.command(action)
    @click.option("--issuer", "slug", required=True, help="Issuer slug.")
    @click.argument("achievement")
    @_json_option
    def command(slug: str, achievement: str, as_json: bool) -> None:
        from issuer.services import authoring
        from issuer.services import organizations

        step = authoring.publish if action == "publish" else authoring.archive
        with open_instance() as (settings, database):
            with database.session() as session:
                org = run(lambda: organizations.get(session, slug))
                found = run(lambda: step(session, org, achievement, actor="cli", now=now()))
                _show(session, found, settings.base_url, as_json)

    command.help = {
        "publish": "Publish ACHIEVEMENT (id or slug): it can be awarded and is listed.",
        "archive": "Archive ACHIEVEMENT: hidden from the catalogue, no new awards; "
                   "credentials already issued keep verifying.",
    }[action]
    return command


def register(main: click.Group) -> None:
    """Add the authoring commands to the ``achievements`` group."""
    group = main.commands.get("achievements")
    if not isinstance(group, click.Group):
        raise RuntimeError("the 'achievements' command group must be registered first")
    for command in (create, update, _move("publish"), _move("archive")):
        group.add_command(command)
