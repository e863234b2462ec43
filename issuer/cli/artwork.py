"""``badges achievements image``: give an achievement its badge art from a PNG or SVG file."""

from __future__ import annotations

import click

from issuer.cli.context import UsageProblem
from issuer.cli.context import now
from issuer.cli.context import open_instance
from issuer.cli.context import read_bytes
from issuer.cli.context import run


@click.command("image")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
@click.option("--alt", "alt", default=None,
              help="What the image shows, for screen readers (required with FILE).")
@click.option("--generated", is_flag=True,
              help="Drop the uploaded art and use the generated default again.")
@click.argument("achievement")
@click.argument("file", required=False)
def image(slug: str, alt: str | None, generated: bool, achievement: str,
          file: str | None) -> None:
    """Set ACHIEVEMENT's badge art (id or slug) from FILE, a PNG or SVG (``-``: stdin).

    The file is checked by its content: a PNG from 64 to 2048 pixels a side,
    or an SVG without scripts, event handlers or external references (it is
    rebuilt from an allow-list). The catalogue, wallet, share page, baked
    images, certificates and verifier all show it from then on.
    """
    from issuer.services import artwork
    from issuer.services import organizations

    if generated == (file is not None):
        raise UsageProblem("give either FILE (with --alt) or --generated")
    if file is not None and not (alt and alt.strip()):
        raise UsageProblem("--alt is required: describe what the image shows")
    data = read_bytes(file) if file is not None else b""
    with open_instance() as (_, database):
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            found = run(lambda: artwork.find(session, org, achievement))
            label = f"{slug}/{found.slug}"
            if generated:
                changed = artwork.remove_image(session, found, actor="cli", now=now())
                session.commit()
                art = artwork.art_for(session, found)
                click.echo(f"{label}: " + (
                    "back to the generated image." if changed else
                    "already uses the generated image."))
                click.echo(f"Alt text: {art.alt}")
                return
            art = run(lambda: artwork.set_image(session, found, data, alt=alt or "",
                                                actor="cli", now=now()))
            session.commit()
    kind = "PNG" if art.source == "image/png" else "SVG"
    click.echo(f"{label}: now uses the uploaded {kind} (sha256 {art.digest}).")
    click.echo(f"Alt text: {art.alt}")


def register(achievements: click.Group) -> None:
    """Add ``image`` to the ``achievements`` group."""
    achievements.add_command(image)
