"""The ``badges`` command line.

Commands parse arguments, call the core or a service, and print. Exit codes:
0 success (for ``verify``: verified), 1 not verified, 2 unreadable input or
usage error.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from datetime import timedelta
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
from badges.schema import check_credential
from badges.schema import conformance_issues
from verifier import render
from verifier.fetch import Fetcher
from verifier.fetch import FetchPolicy
from verifier.fetch import parse_allow_hosts
from verifier.service import Verifier

EXIT_UNREADABLE = 2


class UsageProblem(click.ClickException):
    """A clear message and exit code 2."""

    exit_code = EXIT_UNREADABLE


def _read_bytes(path: str) -> bytes:
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise UsageProblem(f"cannot read {path}: {exc.strerror}") from None


def _read_json(path: str) -> Any:
    try:
        return parse_json(_read_bytes(path))
    except BadgesError as exc:
        raise UsageProblem(f"{path}: {exc.message} ({exc.code})") from None


@click.group()
@click.version_option(package_name="badges")
def main() -> None:
    """Open Badges 3.0 micro-credentials: keys, signing, verification, baking."""


# ----------------------------------------------------------------------------- keys


@main.group()
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
        return keys_mod.load_key_file(_read_json(path))
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
    issues = check_credential(credential) + conformance_issues(credential)
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


@main.command("sign")
@click.option("--key", "key_path", required=True, help="Key file from 'badges keys generate'.")
@click.option("--format", "fmt", type=click.Choice(["di", "jwt"]), default="di",
              show_default=True, help="di: embedded eddsa-rdfc-2022 proof; jwt: VC-JWT.")
@click.argument("credential_path", metavar="CREDENTIAL.json")
def sign(key_path: str, fmt: str, credential_path: str) -> None:
    """Sign an unsigned credential and print it (JSON, or the compact JWS)."""
    key = _load_key(key_path)
    credential = _read_json(credential_path)
    _check_signable(credential, key)
    try:
        if fmt == "jwt":
            click.echo(sign_jwt(credential, key=key))
            return
        if key.type != "ed25519":
            raise UsageProblem("Data Integrity signing needs an Ed25519 key (--type ed25519)")
        signed = sign_credential(credential, key=key,
                                 created=format_datetime(datetime.now(UTC).replace(microsecond=0)))
    except BadgesError as exc:
        raise UsageProblem(f"cannot sign: {exc.message} ({exc.code})") from None
    click.echo(json.dumps(signed, indent=2, ensure_ascii=False))


# ----------------------------------------------------------------------------- verify


@main.command("verify")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--offline", is_flag=True,
              help="Fetch nothing: keys and status lists that need the network stay unchecked.")
@click.option("--allow-host", "allow_hosts", multiple=True, envvar="BADGES_FETCH_ALLOW_HOSTS",
              help="Host that may resolve to a private address (tests, intranets).")
@click.option("--dev", is_flag=True, envvar="BADGES_DEV",
              help="Development: allow plain HTTP to loopback hosts.")
@click.option("--registry", "registry", envvar="BADGES_VERIFIER_REGISTRY",
              help="Known issuers: a JSON or YAML file (or an https:// URL).")
@click.argument("source", metavar="INPUT")
def verify(as_json: bool, offline: bool, allow_hosts: tuple[str, ...], dev: bool,
           registry: str | None, source: str) -> None:
    """Verify a credential: a path or '-' (JSON, JWT, baked PNG/SVG, PDF) or an https:// link."""
    from verifier.intake import IntakeError
    from verifier.intake import from_link
    from verifier.intake import is_link
    from verifier.registry import RegistryError
    from verifier.registry import open_registry
    from verifier.service import unreadable_report

    fetcher = None if offline else Fetcher(FetchPolicy(
        allow_hosts=parse_allow_hosts(",".join(allow_hosts)), allow_http_loopback=dev))
    try:
        known = open_registry(registry, fetch=fetcher)
    except RegistryError as exc:
        raise UsageProblem(exc.message) from None
    verifier = Verifier(fetcher=fetcher, registry=known)
    submission = None
    if is_link(source):
        try:
            submission = from_link(source, fetcher=fetcher)
        except IntakeError as exc:
            report = unreadable_report(exc)
        else:
            report = verifier.verify_submission(submission)
    else:
        report = verifier.verify(_read_bytes(source))
    if as_json:
        payload = render.report_json(report, source=submission.to_json() if submission else None)
        click.echo(render.encodable(json.dumps(payload, indent=2, ensure_ascii=False)))
    else:
        click.echo(render.encodable(render.to_text(report)), nl=False)
    if report.verdict == "unreadable":
        sys.exit(EXIT_UNREADABLE)
    sys.exit(0 if report.verified else 1)


# ----------------------------------------------------------------------------- baking


@main.command("bake")
@click.option("--image", "image_path", required=True, help="PNG or SVG badge image.")
@click.option("--credential", "credential_path", required=True,
              help="Signed credential: JSON file or a file holding the compact JWS.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False))
def bake(image_path: str, credential_path: str, out: str) -> None:
    """Bake a signed credential into a PNG or SVG image (OB 3.0 §5.3)."""
    text = _read_bytes(credential_path).decode("utf-8", "replace").strip()
    if text.startswith("{"):
        try:
            text = json.dumps(parse_json(text), ensure_ascii=False)
        except BadgesError as exc:
            raise UsageProblem(f"{credential_path}: {exc.message}") from None
    try:
        baked = baking.bake(_read_bytes(image_path), text)
    except BadgesError as exc:
        raise UsageProblem(f"cannot bake: {exc.message} ({exc.code})") from None
    Path(out).write_bytes(baked)
    click.echo(f"Wrote {out}", err=True)


@main.command("unbake")
@click.argument("image_path", metavar="IMG")
def unbake(image_path: str) -> None:
    """Print the credential baked into a PNG or SVG image."""
    try:
        text = baking.unbake(_read_bytes(image_path))
    except BadgesError as exc:
        raise UsageProblem(f"cannot unbake: {exc.message} ({exc.code})") from None
    click.echo(text)


# ----------------------------------------------------------------------------- service


@contextmanager
def _service() -> Iterator[tuple[Any, Any]]:
    """Settings and an up-to-date database (closed afterwards), or a clear error."""
    from issuer.config import ConfigError
    from issuer.config import load_settings
    from issuer.db import Database
    from issuer.migrate import upgrade

    try:
        settings = load_settings()
    except ConfigError as exc:
        raise UsageProblem(str(exc)) from None
    try:
        upgrade(settings.database_url)
    except Exception as exc:  # noqa: BLE001 - any driver error becomes a clear message
        raise UsageProblem(f"cannot open the database {settings.database_url}: {exc}") from None
    database = Database(settings.database_url)
    try:
        yield settings, database
    finally:
        database.dispose()


def _run(fn: Any) -> Any:
    """Run a service call; a ServiceError becomes a clear message and exit code 2."""
    from issuer.services.errors import ServiceError

    try:
        return fn()
    except ServiceError as exc:
        raise UsageProblem(f"{exc.message} ({exc.code})") from None


_ALL_INTERFACES = frozenset({"0.0.0.0", "::"})  # noqa: S104 - names, not a binding


def _now() -> datetime:
    return datetime.now(UTC)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
def serve(host: str, port: int) -> None:
    """Run the district service (issuer pages, APIs, verifier)."""
    import os

    from werkzeug.serving import run_simple

    from issuer.app import create_app
    from issuer.config import ConfigError

    overrides = {} if os.environ.get("BADGES_BASE_URL") else {
        "base_url": f"http://{'127.0.0.1' if host in _ALL_INTERFACES else host}:{port}"}
    with _service():
        pass
    try:
        app = create_app(overrides)
    except ConfigError as exc:
        raise UsageProblem(str(exc)) from None
    settings = app.extensions["badges"]["settings"]
    click.echo(f"Serving {settings.base_url} ({settings.env}) on http://{host}:{port}/",
               err=True)
    run_simple(host, port, app, threaded=True, use_reloader=False)


@main.command("seed-demo")
def seed_demo() -> None:
    """Create the demo district (schools, achievements with rubrics, people, sample awards)."""
    from issuer import demo

    with _service() as (settings, database):
        with database.session() as session:
            result = demo.seed(session, base_url=settings.base_url,
                               kek=settings.key_encryption_key, now=_now())
        if not result.created:
            click.echo("The demo district already exists.")
        else:
            click.echo(f"Demo district created at {settings.base_url}/issuers/{demo.DISTRICT}")
            click.echo(f"API token for {demo.DISTRICT}: {result.api_token}")
            for label, url in result.samples:
                click.echo(f"Sample credential ({label}): {url}")
        _print_demo_accounts(settings, database)


@main.group()
def issuers() -> None:
    """Issuers (districts and schools)."""


@issuers.command("list")
def issuers_list() -> None:
    """List every issuer with its did:web."""
    from issuer.services import organizations

    with _service() as (settings, database):
        with database.session() as session:
            for org in organizations.list_all(session):
                parent = f"  (part of {org.parent.slug})" if org.parent else ""
                click.echo(f"{org.slug:<24}{org.name}{parent}")
                click.echo(f"{'':<24}{organizations.issuer_did(settings.base_url, org)}")


@main.group()
def achievements() -> None:
    """Achievements (micro-credentials)."""


@achievements.command("list")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
def achievements_list(slug: str) -> None:
    """List an issuer's achievements."""
    from issuer.services import achievements as service
    from issuer.services import organizations

    with _service() as (_, database):
        with database.session() as session:
            org = _run(lambda: organizations.get(session, slug))
            for item in service.list_for(session, org):
                click.echo(f"{item.id}  {item.slug:<36}{item.name}")


@main.command("award")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
@click.option("--achievement", "achievement", required=True, help="Achievement id or slug.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--format", "fmt", type=click.Choice(["di", "jwt"]), default="di",
              show_default=True)
def award(slug: str, achievement: str, email: str, name: str, fmt: str) -> None:
    """Award an achievement and print the signed credential."""
    from issuer.services import issuance

    with _service() as (settings, database):
        ctx = issuance.IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
        with database.session() as session:
            issued = _run(lambda: issuance.award(
                session, ctx, issuer=slug, achievement=achievement, email=email, name=name,
                actor="cli", now=_now(), fmt=fmt))  # type: ignore[arg-type]
            document, url = issued.document, issuance.share_url(settings.base_url, issued)
        click.echo(document)
        click.echo(f"Share URL: {url}", err=True)


@keys.command("rotate")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
def keys_rotate(slug: str) -> None:
    """Retire the issuer's current keys and create new ones (old credentials keep verifying)."""
    from issuer.services import organizations
    from issuer.services import signing_keys

    with _service() as (settings, database):
        with database.session() as session:
            org = _run(lambda: organizations.get(session, slug))
            rows = signing_keys.rotate(session, org, kek=settings.key_encryption_key,
                                       base_url=settings.base_url, now=_now(), actor="cli")
            new_ids = [row.key_id for row in rows]
        click.echo(f"{slug}: new current keys {', '.join(new_ids)}; previous keys retired "
                   "(still published, so what they signed keeps verifying)")


@main.group()
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.option("--issuer", "slug", required=True)
@click.option("--name", default="api", show_default=True)
def tokens_create(slug: str, name: str) -> None:
    """Create an API token for an issuer and print it (it is shown only once)."""
    import secrets as _secrets

    from issuer.models import ApiToken
    from issuer.services import organizations
    from issuer.web.api import token_hash

    with _service() as (_, database):
        token = _secrets.token_urlsafe(32)
        with database.session() as session:
            org = _run(lambda: organizations.get(session, slug))
            session.add(ApiToken(organization_id=org.id, name=name, token_hash=token_hash(token)))
        click.echo(token)


# ----------------------------------------------------------------------------- status


def _status_change(action: str, ref: str, **kwargs: Any) -> None:
    from issuer.services import status
    from issuer.services.context import IssuerContext

    with _service() as (settings, database):
        ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
        with database.session() as session:
            fn: Any = {"revoke": status.revoke, "suspend": status.suspend,
                       "unsuspend": status.unsuspend}[action]
            changed = _run(lambda: fn(session, ref, actor="cli", now=_now(), **kwargs))
            credential_id = changed.credential_id
        with database.session() as session:
            changed = status.find_credential(session, credential_id)
            status.publish_changes(session, ctx, status.lists_of([changed]), _now())
    done = {"revoke": "revoked", "suspend": "suspended", "unsuspend": "unsuspended"}[action]
    click.echo(f"{credential_id}: {done}")


@main.command("revoke")
@click.argument("credential_id", metavar="ID")
@click.option("--reason", required=True, help="Why (kept in the audit log).")
@click.option("--public", "public", is_flag=True,
              help="Show the reason on the credential's share page.")
def revoke(credential_id: str, reason: str, public: bool) -> None:
    """Revoke a credential permanently (it cannot be undone)."""
    _status_change("revoke", credential_id, reason=reason, public=public)


@main.command("suspend")
@click.argument("credential_id", metavar="ID")
def suspend(credential_id: str) -> None:
    """Suspend a credential (for example during an inquiry)."""
    _status_change("suspend", credential_id)


@main.command("unsuspend")
@click.argument("credential_id", metavar="ID")
def unsuspend(credential_id: str) -> None:
    """Lift a suspension."""
    _status_change("unsuspend", credential_id)


@main.command("revoke-bulk")
@click.argument("id_file", metavar="FILE")
@click.option("--reason", required=True)
@click.option("--public", is_flag=True)
def revoke_bulk(id_file: str, reason: str, public: bool) -> None:
    """Revoke every credential id listed in FILE (one per line); report each."""
    from issuer.services import status
    from issuer.services.context import IssuerContext

    refs = [line.strip() for line in _read_bytes(id_file).decode("utf-8", "replace")
            .splitlines() if line.strip() and not line.startswith("#")]
    if not refs:
        raise UsageProblem(f"{id_file} lists no credential ids")
    with _service() as (settings, database):
        ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
        with database.session() as session:
            results = status.revoke_many(session, refs, reason=reason, public=public,
                                         actor="cli", now=_now())
        done = [r.ref for r in results if r.ok]
        with database.session() as session:
            changed = [status.find_credential(session, ref) for ref in done]
            status.publish_changes(session, ctx, status.lists_of(changed), _now())
    for result in results:
        if not result.ok:
            click.echo(f"{result.ref}: not revoked: {result.message} ({result.code})", err=True)
    click.echo(f"revoked {len(done)} of {len(results)}")
    if len(done) != len(results):
        sys.exit(1)


@main.command("renew")
@click.argument("credential_id", metavar="ID")
def renew(credential_id: str) -> None:
    """Issue a renewed credential that refers to the prior one; print it."""
    from issuer.services import issuance

    with _service() as (settings, database):
        ctx = issuance.IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
        with database.session() as session:
            issued = _run(lambda: issuance.renew(session, ctx, credential_id, actor="cli",
                                                 now=_now()))
            document = issued.document
    click.echo(document)


@main.command("expiring")
@click.option("--days", default=30, show_default=True, type=int)
def expiring(days: int) -> None:
    """List credentials that expire within DAYS (not revoked), for reminders."""
    import sqlalchemy as sa

    from issuer.models import IssuedCredential

    with _service() as (_, database), database.session() as session:
        now = _now()
        rows = session.scalars(sa.select(IssuedCredential).where(
            IssuedCredential.valid_until.is_not(None),
            IssuedCredential.valid_until > now,
            IssuedCredential.valid_until <= now + timedelta(days=days),
            IssuedCredential.revoked_at.is_(None)).order_by(IssuedCredential.valid_until))
        for row in rows:
            click.echo(f"{row.valid_until:%Y-%m-%d}  {row.credential_id}  {row.recipient_email}"
                       f"  {row.achievement.name}")


# ----------------------------------------------------------------------------- certificates


def _add_certificate_commands() -> None:
    from issuer.cli_certificates import certificate
    from issuer.cli_certificates import certificates

    main.add_command(certificate)
    main.add_command(certificates)


_add_certificate_commands()


# ----------------------------------------------------------------------------- workflow


def _print_demo_accounts(settings: Any, database: Any) -> None:
    """Set (if missing) and print the demo's sign-in accounts; never in production."""
    from issuer import demo
    from issuer.workflow.config import load_workflow_settings

    if settings.env == "production":
        return
    with database.session() as session:
        found = demo.ensure_demo_passwords(
            session, scrypt_n=load_workflow_settings(settings).scrypt_n)
    click.echo(f"\nDemo accounts: sign in at {settings.base_url}/sign-in")
    for role, email, password in found:
        click.echo(f"  {role:<18} {email:<38} password: {password}")


def _add_workflow_commands() -> None:
    from issuer.cli_workflow import mail
    from issuer.cli_workflow import users

    main.add_command(users)
    main.add_command(mail)


_add_workflow_commands()

from issuer.cli_batch import register as _register_batch  # noqa: E402 - batch award commands

_register_batch(main)
