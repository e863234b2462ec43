"""The ``badges`` command line.

Commands parse arguments, call the core or a service, and print. Exit codes:
0 success (for ``verify``: verified), 1 not verified, 2 unreadable input or
usage error. Each area's commands live in their own module and share only
:mod:`issuer.cli.context` (the clock, the instance, errors and input).
"""

from __future__ import annotations

import click

from issuer.cli import artwork
from issuer.cli import authoring
from issuer.cli import batch
from issuer.cli import certificates
from issuer.cli import clr
from issuer.cli import core
from issuer.cli import district
from issuer.cli import pathways
from issuer.cli import workflow
from issuer.cli.context import CliContext


@click.group()
@click.version_option(package_name="badges")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Open Badges 3.0 micro-credentials: keys, signing, verification, baking."""
    if not isinstance(ctx.obj, CliContext):
        ctx.obj = CliContext()


core.register(main)
district.register(main, core.keys)
certificates.register(main)
workflow.register(main)
batch.register(main)
artwork.register(district.achievements)
authoring.register(main)
clr.register(main)
pathways.register(main)

__all__ = ["main"]
