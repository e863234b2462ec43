"""The certificate commands of the ``badges`` CLI.

* ``badges certificate CREDENTIAL --out cert.pdf [--template NAME|FOLDER] [--paper a4|letter]``
* ``badges certificates template upload --issuer SLUG --name NAME FOLDER``
* ``badges certificates template preview --issuer SLUG (--name NAME | FOLDER) --out preview.pdf``
* ``badges certificates template list --issuer SLUG``
* ``badges certificates render --issuer SLUG --out-dir DIR [--workers 2]`` (every
  credential of an issuer, on a process pool)

Commands parse arguments, call :mod:`issuer.certificates.service` and print;
rendering is imported only when a command runs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from issuer.cli.context import UsageProblem
from issuer.cli.context import now
from issuer.cli.context import open_instance
from issuer.cli.context import run
from issuer.storage import storage_for

_PAPER = click.Choice(["a4", "letter"])


def _template_arg(value: str | None) -> str | Path | None:
    """A template name, or a folder when the value names one (for template designers)."""
    if value is None:
        return None
    path = Path(value)
    if "/" in value or value.startswith(".") or path.is_dir():
        if not path.is_dir():
            raise UsageProblem(f"{value} is not a template folder")
        return path
    return value


def _write(out: str, data: bytes) -> None:
    try:
        Path(out).write_bytes(data)
    except OSError as exc:
        raise UsageProblem(f"cannot write {out}: {exc.strerror}") from None


@click.command("certificate")
@click.argument("credential", metavar="CREDENTIAL")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Where to write the PDF.")
@click.option("--template", "template", default=None,
              help="Template name (the issuer's own, else built-in), or a template folder.")
@click.option("--paper", type=_PAPER, default="letter", show_default=True,
              help="Landscape page size.")
def certificate(credential: str, out: str, template: str | None, paper: str) -> None:
    """Render the PDF certificate of a stored credential.

    CREDENTIAL is its credential id (urn:uuid:...), its share URL or token, or its row id.
    The PDF is PDF/A-3b with the signed credential attached: 'badges verify' reads it.
    """
    from issuer.certificates import service

    chosen = _template_arg(template)
    with open_instance() as (settings, database), database.session() as session:
        issued = run(lambda: service.find_issued(session, credential))
        rendered = run(lambda: service.render_issued(
            issued, base_url=settings.base_url, storage=storage_for(settings),
            template=chosen, paper=paper))
        name = issued.recipient_name
    _write(out, rendered.pdf)
    click.echo(f"Wrote {out} ({len(rendered.pdf):,} bytes): certificate of {name}", err=True)


@click.group("certificates")
def certificates() -> None:
    """PDF certificates: templates, previews, batches."""


@certificates.group("template")
def template_group() -> None:
    """Districts' certificate templates (HTML + CSS + images)."""


def _folder_files(folder: str) -> dict[str, bytes]:
    from issuer.certificates import templates

    path = Path(folder)
    if not path.is_dir():
        raise UsageProblem(f"{folder} is not a folder")
    return run(lambda: templates.read_folder(path))


@template_group.command("upload")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
@click.option("--name", "name", default="default", show_default=True,
              help="Template name; 'default' replaces the built-in default for this issuer.")
@click.argument("folder", type=click.Path(file_okay=False))
def template_upload(slug: str, name: str, folder: str) -> None:
    """Check a template folder (by rendering samples with it) and install it for an issuer."""
    from issuer.certificates import service
    from issuer.services import organizations

    files = _folder_files(folder)
    with open_instance() as (settings, database), database.session() as session:
        org = run(lambda: organizations.get(session, slug))
        result = run(lambda: service.upload_template(
            session, org, storage=storage_for(settings), base_url=settings.base_url,
            name=name, files=files, actor="cli", now=now()))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{slug}: certificate template {result.name!r} ({result.title}) installed, "
               f"{len(result.files)} files")


@template_group.command("preview")
@click.option("--issuer", "slug", default=None, help="Issuer slug (its name and colour).")
@click.option("--name", "name", default=None, help="An installed or built-in template.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
@click.option("--paper", type=_PAPER, default="letter", show_default=True)
@click.argument("folder", required=False, type=click.Path(file_okay=False))
def template_preview(slug: str | None, name: str | None, out: str, paper: str,
                     folder: str | None) -> None:
    """Render a template with sample data: a FOLDER, or an installed template by --name."""
    from issuer.certificates import service
    from issuer.certificates import templates
    from issuer.services import organizations

    if (folder is None) == (name is None):
        raise UsageProblem("give either a template FOLDER or --name")
    if folder is not None and slug is None:
        rendered = run(lambda: service.preview(None, base_url="https://badges.example.org",
                                                folder=Path(folder), paper=paper))
    else:
        with open_instance() as (settings, database), database.session() as session:
            org = run(lambda: organizations.get(session, slug)) if slug else None
            if folder is not None:
                where = Path(folder)
            elif org is not None:
                where = run(lambda: service.template_for(
                    org, storage=storage_for(settings), name=name))
            else:
                where = run(lambda: templates.builtin(name or templates.DEFAULT_TEMPLATE))
            rendered = run(lambda: service.preview(org, base_url=settings.base_url,
                                                    folder=where, paper=paper))
    for warning in rendered.warnings:
        click.echo(f"warning: {warning}", err=True)
    _write(out, rendered.pdf)
    click.echo(f"Wrote {out}", err=True)


@template_group.command("list")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
def template_list(slug: str) -> None:
    """List an issuer's own templates and the built-in ones."""
    from issuer.certificates import store
    from issuer.certificates import templates

    with open_instance() as (settings, _):
        for name in store.list_names(storage_for(settings), slug):
            click.echo(f"{name}  (uploaded)")
    for path in sorted(templates.BUILTIN_ROOT.iterdir()):
        if path.is_dir():
            click.echo(f"{path.name}  (built-in)")


@certificates.command("render")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
@click.option("--out-dir", "out_dir", required=True, type=click.Path(file_okay=False))
@click.option("--achievement", default=None, help="Only this achievement (id or slug).")
@click.option("--paper", type=_PAPER, default="letter", show_default=True)
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64))
def render_all(slug: str, out_dir: str, achievement: str | None, paper: str,
               workers: int) -> None:
    """Render the certificates of every credential an issuer issued, on WORKERS processes."""
    import sqlalchemy as sa

    from issuer.certificates import service
    from issuer.certificates.batch import BatchItem
    from issuer.certificates.batch import render_batch
    from issuer.models import IssuedCredential
    from issuer.services import achievements as achievement_service
    from issuer.services import organizations

    with open_instance() as (settings, database), database.session() as session:
        org = run(lambda: organizations.get(session, slug))
        query = sa.select(IssuedCredential).where(IssuedCredential.organization_id == org.id)
        if achievement:
            found = run(lambda: achievement_service.get(session, org, achievement))
            query = query.where(IssuedCredential.achievement_id == found.id)
        folder = run(lambda: service.template_for(org, storage=storage_for(settings)))
        rows = list(session.scalars(query.order_by(IssuedCredential.issued_at)))
        items = run(lambda: [BatchItem(service.certificate_for(row, base_url=settings.base_url),
                                        folder, paper) for row in rows])
    target = Path(out_dir)
    target.mkdir(parents=True, exist_ok=True)
    failed = 0
    for result in render_batch(items, workers=workers):
        stem = result.credential_id.rsplit(":", 1)[-1]
        if result.pdf is not None:
            (target / f"{stem}.pdf").write_bytes(result.pdf)
        else:
            failed += 1
            error: Any = result.error
            click.echo(f"{result.credential_id}: {error.message if error else 'failed'}",
                       err=True)
    click.echo(f"{len(items) - failed} certificates written to {out_dir}"
               + (f", {failed} failed" if failed else ""))
    if failed:
        raise SystemExit(1)


def register(group: click.Group) -> None:
    """Add the certificate commands to the ``badges`` command group."""
    group.add_command(certificate)
    group.add_command(certificates)
