"""The credential core's commands: keys, signing, verification and baking.

* ``badges keys generate --out KEY.json [--type ed25519|p256]``
* ``badges sign --key KEY.json [--format di|jwt] CREDENTIAL.json``
* ``badges verify [--json] [--offline] [--registry FILE] INPUT``
* ``badges bake --image IMG --credential FILE --out OUT`` and ``badges unbake IMG``

These need no instance: they work on files and links.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from badges import baking
from badges import keys as keys_mod
from badges.dataintegrity import sign_credential
from badges.errors import BadgesError
from badges.intake import parse_json
from badges.jsonld import undefined_terms
from badges.jwt import sign_jwt
from badges.model import format_datetime
from badges.schema import check_issuable
from issuer.cli.context import EXIT_UNREADABLE
from issuer.cli.context import UsageProblem
from issuer.cli.context import current
from issuer.cli.context import now
from issuer.cli.context import read_bytes
from issuer.cli.context import read_json
from verifier import render
from verifier.fetch import LOOPBACK_HOSTS
from verifier.fetch import Fetcher
from verifier.fetch import FetchPolicy
from verifier.fetch import parse_allow_hosts
from verifier.service import Verifier

# ----------------------------------------------------------------------------- keys


@click.group()
def keys() -> None:
    """Create and manage signing keys."""


@keys.command("generate")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Where to write the key file (created with mode 600).")
@click.option("--type", "key_type", type=click.Choice(["ed25519", "p256"]), default="ed25519",
              show_default=True, help="ed25519 for Data Integrity, p256 for VC-JWT (ES256).")
def keys_generate(out: str, key_type: str) -> None:
    """Generate a key pair controlled by its own did:key."""
    pair = keys_mod.generate(key_type)  # type: ignore[arg-type]
    path = Path(out)
    if path.exists():
        raise UsageProblem(f"{out} already exists; refusing to overwrite a key")
    path.touch(mode=0o600)
    path.write_text(json.dumps(pair.to_json(), indent=2) + "\n", "utf-8")
    click.echo(f"Wrote {key_type} key {pair.id} to {out}", err=True)
    click.echo(pair.controller)


# ----------------------------------------------------------------------------- sign


def _load_key(path: str) -> keys_mod.KeyPair:
    try:
        return keys_mod.load_key_file(read_json(path))
    except BadgesError as exc:
        raise UsageProblem(f"{path}: {exc.message} ({exc.code})") from None


def _check_signable(credential: Any, key: keys_mod.KeyPair) -> None:
    if not isinstance(credential, dict):
        raise UsageProblem("the credential must be a JSON object")
    issuer = credential.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if issuer_id != key.controller:
        raise UsageProblem(
            f"issuer.id {issuer_id!r} does not match the key's controller {key.controller!r}; "
            "a credential must be signed by its own issuer's key")
    issues = check_issuable(credential)
    if issues:
        listing = "; ".join(f"{i.path or '/'}: {i.message}" for i in issues[:5])
        raise UsageProblem(f"the credential does not pass the Open Badges 3.0 schema: {listing}")
    try:
        terms, types = undefined_terms(credential)
    except BadgesError as exc:
        raise UsageProblem(f"the credential is not valid JSON-LD: {exc.message}") from None
    if terms or types:
        raise UsageProblem("the credential uses terms its contexts do not define "
                           f"(JSON-LD safe mode): {', '.join([*terms, *types])}")


@click.command("sign")
@click.option("--key", "key_path", required=True, help="Key file from 'badges keys generate'.")
@click.option("--format", "fmt", type=click.Choice(["di", "jwt"]), default="di",
              show_default=True, help="di: embedded eddsa-rdfc-2022 proof; jwt: VC-JWT.")
@click.argument("credential_path", metavar="CREDENTIAL.json")
def sign(key_path: str, fmt: str, credential_path: str) -> None:
    """Sign an unsigned credential and print it (JSON, or the compact JWS)."""
    key = _load_key(key_path)
    credential = read_json(credential_path)
    _check_signable(credential, key)
    try:
        if fmt == "jwt":
            click.echo(sign_jwt(credential, key=key))
            return
        if key.type != "ed25519":
            raise UsageProblem("Data Integrity signing needs an Ed25519 key (--type ed25519)")
        signed = sign_credential(credential, key=key,
                                 created=format_datetime(now().replace(microsecond=0)))
    except BadgesError as exc:
        raise UsageProblem(f"cannot sign: {exc.message} ({exc.code})") from None
    click.echo(json.dumps(signed, indent=2, ensure_ascii=False))


# ----------------------------------------------------------------------------- verify


@click.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--offline", is_flag=True,
              help="Fetch nothing: keys and status lists that need the network stay unchecked.")
@click.option("--allow-host", "allow_hosts", multiple=True, envvar="BADGES_FETCH_ALLOW_HOSTS",
              help="Host that may resolve to a private address (tests, intranets).")
@click.option("--dev", is_flag=True, envvar="BADGES_DEV",
              help="Development: allow plain HTTP to this machine (127.0.0.1, localhost, ::1) "
                   "and to the --allow-host hosts.")
@click.option("--registry", "registry", envvar="BADGES_VERIFIER_REGISTRY",
              help="Known issuers: a JSON or YAML file (or an https:// URL).")
@click.option("--recipient", metavar="EMAIL",
              help="Open Badges 2.0: check that the badge was awarded to this e-mail address.")
@click.argument("source", metavar="INPUT")
def verify(as_json: bool, offline: bool, allow_hosts: tuple[str, ...], dev: bool,
           registry: str | None, recipient: str | None, source: str) -> None:
    """Verify a credential: a path or '-' (JSON, JWT, baked PNG/SVG, PDF) or an https:// link."""
    from verifier.intake import IntakeError
    from verifier.intake import from_link
    from verifier.intake import is_link
    from verifier.registry import RegistryError
    from verifier.registry import open_registries
    from verifier.service import unreadable_report

    hosts = parse_allow_hosts(",".join(allow_hosts))
    local = LOOPBACK_HOSTS if dev else frozenset()
    fetcher = None if offline else Fetcher(FetchPolicy(
        allow_hosts=hosts | local, allow_http=(hosts | local) if dev else frozenset()))
    try:
        known = open_registries(registry, fetch=fetcher, first=_own_issuers())
    except RegistryError as exc:
        raise UsageProblem(exc.message) from None
    verifier = Verifier(fetcher=fetcher, registry=known, clock=current().clock)
    submission = None
    if is_link(source):
        try:
            submission = from_link(source, fetcher=fetcher)
        except IntakeError as exc:
            report = unreadable_report(exc)
        else:
            _verify_if_clr(verifier, submission.data, as_json)
            report = verifier.verify_submission(submission, recipient=recipient)
    else:
        data = read_bytes(source)
        _verify_if_clr(verifier, data, as_json)
        report = verifier.verify(data, recipient=recipient)
    if as_json:
        payload = render.report_json(report, source=submission.to_json() if submission else None)
        click.echo(render.encodable(json.dumps(payload, indent=2, ensure_ascii=False)))
    else:
        click.echo(render.encodable(render.to_text(report)), nl=False)
    if report.verdict == "unreadable":
        sys.exit(EXIT_UNREADABLE)
    sys.exit(0 if report.verified else 1)


def _verify_if_clr(verifier: Verifier, data: bytes, as_json: bool) -> None:
    """A CLR 2.0 record: verify it and every credential in it, print, and exit (issue #20)."""
    from verifier.clr_text import to_text

    record = verifier.clr_of(data)
    if record is None:
        return
    report = verifier.verify_clr(record)
    if as_json:
        click.echo(render.encodable(json.dumps(report.to_json(), indent=2, ensure_ascii=False)))
    else:
        click.echo(render.encodable(to_text(report)), nl=False)
    sys.exit(0 if report.verified else 1)


def _own_issuers() -> tuple[Any, ...]:
    """The issuers of this machine's instance, when there is one (never creates one).

    A district's own command line knows the district's issuers, as its web
    verifier does; elsewhere only ``--registry`` lists make an issuer known.
    """
    from issuer.config import existing_instance
    from issuer.db import Database
    from issuer.services.published import OwnIssuers

    found = existing_instance()
    if found is None:
        return ()
    database_url, base_url = found
    own = OwnIssuers(Database(database_url), base_url)
    try:
        own.current()  # read it now: the database is closed before verifying
    finally:
        own.database.dispose()
    return (own,)


# ----------------------------------------------------------------------------- baking


@click.command("bake")
@click.option("--image", "image_path", required=True, help="PNG or SVG badge image.")
@click.option("--credential", "credential_path", required=True,
              help="Signed credential: JSON file or a file holding the compact JWS.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
def bake(image_path: str, credential_path: str, out: str) -> None:
    """Bake a signed credential into a PNG or SVG image (OB 3.0 §5.3)."""
    text = read_bytes(credential_path).decode("utf-8", "replace").strip()
    if text.startswith("{"):
        try:
            text = json.dumps(parse_json(text), ensure_ascii=False)
        except BadgesError as exc:
            raise UsageProblem(f"{credential_path}: {exc.message}") from None
    try:
        baked = baking.bake(read_bytes(image_path), text)
    except BadgesError as exc:
        raise UsageProblem(f"cannot bake: {exc.message} ({exc.code})") from None
    Path(out).write_bytes(baked)
    click.echo(f"Wrote {out}", err=True)


@click.command("unbake")
@click.argument("image_path", metavar="IMG")
def unbake(image_path: str) -> None:
    """Print the credential baked into a PNG or SVG image."""
    try:
        text = baking.unbake(read_bytes(image_path))
    except BadgesError as exc:
        raise UsageProblem(f"cannot unbake: {exc.message} ({exc.code})") from None
    click.echo(text)



def register(group: click.Group) -> None:
    """Add these commands to the ``badges`` command group."""
    for command in (keys, sign, verify, bake, unbake):
        group.add_command(command)
