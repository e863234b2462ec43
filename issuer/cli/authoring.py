"""``badges achievements create|update|publish|archive``: author achievements from files.

FILE is YAML or JSON with the JSON API's field names (README, "Authoring
achievements"). A refused file prints every problem, one per line as
``field: problem``, and exits 2 with nothing stored. Shares only
:mod:`issuer.cli.context` with the other command modules.
"""

from __future__ import annotations

import json
from typing import Any

import click

from issuer.cli.context import UsageProblem
from issuer.cli.context import now
from issuer.cli.context import open_instance
from issuer.cli.context import problems
from issuer.cli.context import read_bytes
from issuer.cli.context import run


def _read(path: str) -> Any:
    from issuer.services import definition

    data = read_bytes(path)
    return run(lambda: problems(lambda: definition.load(data, name=path)))


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
            made = run(lambda: problems(lambda: authoring.create(
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
            found, new_version = run(lambda: problems(lambda: authoring.update(
                session, org, target, body, actor="cli", now=now())))
            _show(session, found, settings.base_url, as_json,
                  "new version: credentials already issued keep the previous one"
                  if new_version else "updated")


@click.command("export")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
@click.option("--version", "number", type=int, default=None,
              help="An earlier version (default: the current one).")
@click.argument("achievement")
def export(slug: str, achievement: str, number: int | None) -> None:
    """Print ACHIEVEMENT's definition as YAML: edit it, then 'achievements update'."""
    import yaml

    from issuer.services import achievements as service
    from issuer.services import authoring
    from issuer.services import definition
    from issuer.services import organizations

    with open_instance() as (_, database):
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            found = run(lambda: authoring.as_of(session, service.get(session, org, achievement),
                                                number))
            doc = definition.to_document(authoring.definition_of(found))
    clean = {k: v for k, v in doc.items() if v not in (None, [], {})}
    click.echo(yaml.safe_dump(clean, sort_keys=False, allow_unicode=True), nl=False)


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


@click.group("frameworks")
def frameworks_group() -> None:
    """Competency frameworks to align achievements with (ISTE bundled; CASE 1.0 imports)."""


@frameworks_group.command("import")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
@click.argument("source")
def frameworks_import(slug: str, source: str) -> None:
    """Import a CASE 1.0 CFPackage from SOURCE: a JSON file, - or an https:// URL.

    A URL is fetched by the service's safe fetcher: public HTTPS only, unless
    the host is in BADGES_FETCH_ALLOW_HOSTS.
    """
    from issuer.services import frameworks
    from issuer.services import organizations

    with open_instance() as (settings, database):
        origin: str | None = None
        if source.startswith(("https://", "http://")):
            data, origin = run(lambda: problems(lambda: frameworks.fetch_package(
                source, allow_hosts=settings.fetch_allow_hosts,
                development=settings.development, own_url=settings.base_url)))
        else:
            data = read_bytes(source)
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            row = run(lambda: problems(lambda: frameworks.import_package(
                session, org, data, source=origin, actor="cli", now=now())))
            click.echo(f"Imported {row.title!r} ({len(row.items)} items) for {slug}: "
                       f"its items are alignment choices ('badges frameworks list "
                       f"--issuer {slug} --items').")


@frameworks_group.command("list")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
@click.option("--items", "show_items", is_flag=True, help="List each framework's items.")
@_json_option
def frameworks_list(slug: str, show_items: bool, as_json: bool) -> None:
    """List the frameworks an issuer's achievements can align with."""
    from issuer.services import frameworks
    from issuer.services import organizations

    with open_instance() as (_, database):
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            found = frameworks.available(session, org)
    if as_json:
        click.echo(json.dumps([f.to_json() for f in found], indent=2, ensure_ascii=False))
        return
    for framework in found:
        origin = "bundled" if framework.bundled else "imported"
        click.echo(f"{framework.identifier}  {framework.title}  ({origin}, "
                   f"{len(framework.choices)} items)")
        if framework.attribution:
            click.echo(f"  {framework.attribution}")
        if show_items:
            for choice in framework.choices:
                click.echo(f"  {choice.code:<14}{choice.label}")


def register(main: click.Group) -> None:
    """Add the authoring commands to the ``achievements`` group, and ``frameworks``."""
    group = main.commands.get("achievements")
    if not isinstance(group, click.Group):
        raise RuntimeError("the 'achievements' command group must be registered first")
    for command in (create, update, export, _move("publish"), _move("archive")):
        group.add_command(command)
    main.add_command(frameworks_group)
