"""``badges clr``: a teacher's signed Comprehensive Learner Record (CLR 2.0, issue #20).

``badges clr --issuer SLUG --email ADDRESS [--credential ID ...] [--output FILE]``
prints (or writes) a ``ClrCredential`` signed by the issuer that embeds the
teacher's credentials from it, each with its own proof
(:func:`issuer.services.clr.teacher_clr`). Credentials left out (revoked,
suspended, expired, VC-JWT) are named on standard error, and the record is
then marked ``partial``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from issuer.cli.context import UsageProblem
from issuer.cli.context import now
from issuer.cli.context import open_instance
from issuer.cli.context import run


@click.command("clr")
@click.option("--issuer", "slug", required=True, help="District or school slug.")
@click.option("--email", required=True, help="Any of the teacher's e-mail addresses.")
@click.option("--credential", "credential_ids", multiple=True, metavar="ID",
              help="Only this credential (its urn:uuid id); repeatable. Default: all.")
@click.option("--output", "-o", type=click.Path(dir_okay=False), default=None,
              help="Write the record to this file instead of standard output.")
def clr(slug: str, email: str, credential_ids: tuple[str, ...], output: str | None) -> None:
    """Print a signed CLR 2.0 of a teacher's credentials from one issuer."""
    import functools

    from issuer.services import clr as clr_service
    from issuer.services.context import IssuerContext
    from issuer.workflow import pathways

    with open_instance() as (settings, database):
        ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
        with database.session() as session:
            result = run(lambda: clr_service.teacher_clr(
                session, ctx, issuer=slug, email=email, now=now(), actor="cli",
                credential_ids=credential_ids,
                structure=functools.partial(pathways.record_associations, base_url=ctx.base_url)))
            left_out = [(row.achievement.name, row.credential_id, why)
                        for row, why in result.left_out]
            count = len(result.included)
    partial = bool(result.document.get("partial"))
    text = json.dumps(result.document, indent=2, ensure_ascii=False)
    if output is None:
        click.echo(text)
    else:
        try:
            Path(output).write_text(text + "\n", "utf-8")
        except OSError as exc:
            raise UsageProblem(f"cannot write {output}: {exc.strerror}") from None
    for name, ident, why in left_out:
        click.echo(f"left out: {name} ({ident}): {why}", err=True)
    click.echo(f"CLR with {count} credential{'s' if count != 1 else ''}"
               + (" (partial)" if partial else "") + ".", err=True)


def register(group: click.Group) -> None:
    """Add ``clr`` to the ``badges`` group."""
    group.add_command(clr)
