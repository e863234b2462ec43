"""``badges pathways create|update|list|archive|cohort``: pathways from files (issue #20).

FILE is YAML or JSON with the JSON API's field names (README, "Pathways").
A refused file prints every problem, one per line as ``field: problem``, and
exits 2 with nothing stored. Shares only :mod:`issuer.cli.context` with the
other command modules.
"""

from __future__ import annotations

import json
from typing import Any

import click

from issuer.cli.context import now
from issuer.cli.context import open_instance
from issuer.cli.context import problems
from issuer.cli.context import read_bytes
from issuer.cli.context import run


def _show(doc: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    state = "archived" if doc["archived"] else doc["completion"]
    click.echo(f"{doc['slug']}  {doc['name']}  {len(doc['steps'])} steps  "
               f"capstone {doc['capstone']}  ({state})")


_json_option = click.option("--json", "as_json", is_flag=True,
                            help="Print as the API returns it.")
_issuer_option = click.option("--issuer", "slug", required=True, help="Issuer slug.")


@click.group("pathways")
def pathways_group() -> None:
    """Pathways: steps of micro-credentials that earn a capstone."""


@pathways_group.command("create")
@_issuer_option
@click.argument("file")
@_json_option
def create(slug: str, file: str, as_json: bool) -> None:
    """Create a pathway from FILE (YAML or JSON; - for standard input)."""
    from issuer.services import definition
    from issuer.services import organizations
    from issuer.services import pathways

    data = read_bytes(file)
    body = run(lambda: problems(lambda: definition.load(data, name=file)))
    with open_instance() as (_settings, database):
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            made = run(lambda: problems(lambda: pathways.create(
                session, org, body, actor="cli", now=now())))
            _show(pathways.document(made), as_json)


@pathways_group.command("update")
@_issuer_option
@click.argument("pathway")
@click.option("--file", "file", required=True,
              help="The whole definition again, YAML or JSON (- for standard input).")
@_json_option
def update(slug: str, pathway: str, file: str, as_json: bool) -> None:
    """Edit PATHWAY (slug or id) from a definition file; its slug cannot change.

    Teachers in progress are measured against the new steps at once: those it
    finishes complete the pathway (capstone issued, or a final review opened).
    The capstone cannot change once a capstone was issued.
    """
    from issuer.services import definition
    from issuer.services import organizations
    from issuer.services import pathways as definitions
    from issuer.services.context import IssuerContext
    from issuer.workflow import pathways as workflow

    data = read_bytes(file)
    body = run(lambda: problems(lambda: definition.load(data, name=file)))
    with open_instance() as (settings, database):
        ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            edit = run(lambda: problems(lambda: workflow.update(
                session, ctx, org, pathway, body, actor="cli", now=now())))
            doc = definitions.document(edit.pathway)
            if as_json:
                _show({**doc, "changes": edit.changes, "completedNow": [
                    {"person": c.person.display_name, "status": c.status}
                    for c in edit.completed]}, True)
                return
            _show(doc, False)
            click.echo("changed: " + (", ".join(edit.changes) or "nothing"))
            for made in edit.completed:
                click.echo(f"completed now: {made.person.display_name} "
                           f"({'capstone issued' if made.status == 'issued' else 'final review'})")


@pathways_group.command("list")
@_issuer_option
@click.option("--archived", is_flag=True, help="Include archived pathways.")
@_json_option
def list_pathways(slug: str, archived: bool, as_json: bool) -> None:
    """The issuer's pathways."""
    from issuer.services import organizations
    from issuer.services import pathways

    with open_instance() as (_settings, database):
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            docs = [pathways.document(p) for p in
                    pathways.list_for(session, org, archived=archived)]
    if as_json:
        click.echo(json.dumps(docs, indent=2, ensure_ascii=False))
        return
    if not docs:
        click.echo(f"{slug} has no pathways")
    for doc in docs:
        _show(doc, False)


@pathways_group.command("archive")
@_issuer_option
@click.argument("pathway")
@_json_option
def archive(slug: str, pathway: str, as_json: bool) -> None:
    """Archive PATHWAY (slug or id): no new progress; capstones issued keep verifying."""
    from issuer.services import organizations
    from issuer.services import pathways

    with open_instance() as (_settings, database):
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            found = run(lambda: pathways.archive(session, org, pathway, actor="cli",
                                                 now=now()))
            _show(pathways.document(found), as_json)


@pathways_group.command("cohort")
@_issuer_option
@click.argument("pathway")
def cohort(slug: str, pathway: str) -> None:
    """PATHWAY's cohort figures as CSV: teachers per step, median days between steps."""
    from issuer.services import organizations
    from issuer.services import pathways
    from issuer.workflow import pathways as progress

    with open_instance() as (_settings, database):
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            found = run(lambda: pathways.get(session, org, pathway))
            click.echo(progress.cohort_csv(session, found), nl=False)


def register(main: click.Group) -> None:
    """Add the ``pathways`` group."""
    main.add_command(pathways_group)
