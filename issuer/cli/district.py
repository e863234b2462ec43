"""The district service's commands: serve, demo, issuers, awards, keys, tokens, status.

Commands parse arguments, open the instance (:func:`issuer.cli.context.open_instance`),
call a service and print.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Any

import click

from issuer.cli.context import UsageProblem
from issuer.cli.context import current
from issuer.cli.context import describe_database
from issuer.cli.context import now
from issuer.cli.context import open_instance
from issuer.cli.context import read_bytes
from issuer.cli.context import run
from issuer.cli.context import where

_ALL_INTERFACES = frozenset({"0.0.0.0", "::"})  # noqa: S104 - names, not a binding

@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--dev", is_flag=True,
              help="Werkzeug's development server (one process) instead of gunicorn; "
                   "refused when BADGES_ENV=production.")
@click.option("--workers", default=2, show_default=True, type=int, envvar="BADGES_WORKERS",
              help="Worker processes (BADGES_WORKERS).")
@click.option("--threads", default=4, show_default=True, type=int, envvar="BADGES_THREADS",
              help="Threads per worker process (BADGES_THREADS).")
@click.option("--timeout", default=60, show_default=True, type=int,
              help="Seconds a worker may stay busy without answering before it is restarted.")
@click.option("--graceful-timeout", default=30, show_default=True, type=int,
              help="Seconds in-flight requests get to finish after SIGTERM.")
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, dev: bool, workers: int, threads: int,
          timeout: int, graceful_timeout: int) -> None:
    """Run the district service (issuer pages, APIs, verifier) on a production server.

    Gunicorn with --workers processes of --threads threads each; SIGTERM stops
    taking connections and lets in-flight requests finish (--graceful-timeout).
    Migrations run once here, before any worker starts. The public base URL is
    BADGES_BASE_URL, else the one given by --host and --port, else the one this
    instance was set up with, else http://127.0.0.1:5000.
    """
    import os

    from issuer.app import create_app
    from issuer.config import ConfigError
    from issuer.config import remember_base_url
    from issuer.config import remembered_base_url
    from issuer.server import ServerOptions

    options = ServerOptions(host=host, port=port, workers=workers, threads=threads,
                            timeout=timeout, graceful_timeout=graceful_timeout)
    if problems := options.problems():
        raise UsageProblem("; ".join(problems))
    overrides: dict[str, Any] = {"clock": current().clock}
    explicit = any(ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT
                   for name in ("host", "port"))
    with open_instance() as (settings, _):  # runs the migrations, once, before any worker
        recorded = remembered_base_url(settings.instance_path)
    if dev and settings.env == "production":
        raise UsageProblem("refusing the development server with BADGES_ENV=production: "
                           "run `badges serve` without --dev")
    if not os.environ.get("BADGES_BASE_URL", "").strip() and (explicit or recorded is None):
        overrides["base_url"] = \
            f"http://{'127.0.0.1' if host in _ALL_INTERFACES else host}:{port}"
    from issuer import server as production

    # before anything imports prometheus_client, so every worker writes its figures there
    metrics_dir = None if dev else production.prepare_metrics_dir()
    try:
        app = create_app(overrides)  # checks the configuration before any worker starts
    except ConfigError as exc:
        production.remove_metrics_dir(metrics_dir)
        raise UsageProblem(str(exc)) from None
    settings = app.extensions["badges"]["settings"]
    if recorded and recorded != settings.base_url and settings.env == "development":
        click.echo(f"Note: this instance was set up at {recorded}; badges issued there name "
                   f"that address and resolve only while it serves it.", err=True)
    remember_base_url(settings)
    server = "development server" if dev else \
        f"gunicorn, {workers} worker(s) x {threads} thread(s)"
    click.echo(f"Serving {settings.base_url} ({settings.env}, {current().opened}) "
               f"on http://{host}:{port}/ with the {server}", err=True)
    if dev:
        from werkzeug.serving import run_simple

        run_simple(host, port, app, threaded=True, use_reloader=False)
        return
    app.extensions["badges"]["db"].dispose()  # each worker opens its own connections
    production.run(lambda: create_app(overrides), options, metrics_dir=metrics_dir)


@click.command("seed-demo")
def seed_demo() -> None:
    """Create the demo district (schools, achievements with rubrics, people, sample awards)."""
    from issuer import demo
    from issuer.config import remember_base_url

    with open_instance() as (settings, database):
        remember_base_url(settings)
        with database.session() as session:
            result = demo.seed(session, base_url=settings.base_url,
                               kek=settings.key_encryption_key, now=now())
        if not result.created:
            click.echo("The demo district already exists.")
        else:
            click.echo(f"Demo district created at {settings.base_url}/issuers/{demo.DISTRICT}")
            click.echo(f"API token for {demo.DISTRICT}: {result.api_token}")
            for label, url in result.samples:
                click.echo(f"Sample credential ({label}): {url}")
        _print_demo_accounts(settings, database)


@click.group()
def issuers() -> None:
    """Issuers (districts and schools)."""


@issuers.command("list")
def issuers_list() -> None:
    """List every issuer with its did:web."""
    from issuer.services import organizations

    with open_instance() as (settings, database):
        with database.session() as session:
            found = organizations.list_all(session)
            for org in found:
                parent = f"  (part of {org.parent.slug})" if org.parent else ""
                click.echo(f"{org.slug:<24}{org.name}{parent}")
                click.echo(f"{'':<24}{organizations.issuer_did(settings.base_url, org)}")
    if not found:
        click.echo(f"No issuers{where()}. Create the demo district with 'badges seed-demo', "
                   "or set BADGES_INSTANCE_PATH or BADGES_DATABASE_URL to open another "
                   "instance.", err=True)


#: What switching suspension on costs, said where it is switched on.
_TRADE_OFF = (
    "Suspension gives every new credential a second status entry, so its credentialStatus "
    "becomes an array of two. VCDM 2.0 and Bitstring Status List allow that, but the "
    "1EdTech Open Badges 3.0 JSON Schema expects one object: the 1EdTech validator and "
    "the Digital Credentials Consortium verifier (VerifierPlus, Learner Credential Wallet) "
    "then report those credentials as schema-invalid. Credentials issued while it is off "
    "can be revoked but never suspended.")


@issuers.command("suspension", epilog="Trade-off: " + _TRADE_OFF)
@click.option("--issuer", "slug", required=True,
              help="Issuer slug (a district's schools follow it).")
@click.option("--on/--off", "enabled", required=True,
              help="Give new credentials a suspension entry (--on), or only the revocation "
                   "entry (--off, the default, schema-valid).")
def issuers_suspension(slug: str, enabled: bool) -> None:
    """Switch suspension on or off for the credentials an issuer issues from now on.

    Off by default. Credentials already issued keep the status entries they
    have and keep verifying either way.
    """
    from issuer.services import organizations
    from issuer.services import status

    with open_instance() as (_, database):
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            status.set_suspension(session, org, enabled=enabled, actor="cli", now=now())
    if enabled:
        click.echo(f"{slug}: new credentials get a suspension entry.")
        click.echo("Trade-off: " + _TRADE_OFF, err=True)
    else:
        click.echo(f"{slug}: new credentials get one revocation entry (schema-valid).")


@click.group()
def achievements() -> None:
    """Achievements (micro-credentials)."""


@achievements.command("list")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
def achievements_list(slug: str) -> None:
    """List an issuer's achievements."""
    from issuer.services import achievements as service
    from issuer.services import organizations

    with open_instance() as (_, database):
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            for item in service.list_for(session, org):
                click.echo(f"{item.id}  {item.slug:<36}{item.name}")


@click.command("award")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
@click.option("--achievement", "achievement", required=True, help="Achievement id or slug.")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--format", "fmt", type=click.Choice(["di", "jwt"]), default="di",
              show_default=True)
def award(slug: str, achievement: str, email: str, name: str, fmt: str) -> None:
    """Award an achievement and print the signed credential."""
    from issuer.services import issuance

    with open_instance() as (settings, database):
        ctx = issuance.IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
        with database.session() as session:
            issued = run(lambda: issuance.award(
                session, ctx, issuer=slug, achievement=achievement, email=email, name=name,
                actor="cli", now=now(), fmt=fmt))  # type: ignore[arg-type]
            document, url = issued.document, issuance.share_url(settings.base_url, issued)
        click.echo(document)
        click.echo(f"Share URL: {url}", err=True)


@click.command("rotate")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
def keys_rotate(slug: str) -> None:
    """Retire the issuer's current keys and create new ones (old credentials keep verifying)."""
    from issuer.services import organizations
    from issuer.services import signing_keys

    with open_instance() as (settings, database):
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            rows = signing_keys.rotate(session, org, kek=settings.key_encryption_key,
                                       base_url=settings.base_url, now=now(), actor="cli")
            new_ids = [row.key_id for row in rows]
        click.echo(f"{slug}: new current keys {', '.join(new_ids)}; previous keys retired "
                   "(still published, so what they signed keeps verifying)")


@click.group()
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

    with open_instance() as (_, database):
        token = _secrets.token_urlsafe(32)
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            session.add(ApiToken(organization_id=org.id, name=name, token_hash=token_hash(token)))
        click.echo(token)


# ----------------------------------------------------------------------------- status


def _status_change(action: str, ref: str, **kwargs: Any) -> None:
    from issuer.services import status
    from issuer.services.context import IssuerContext

    with open_instance() as (settings, database):
        ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
        with database.session() as session:
            fn: Any = {"revoke": status.revoke, "suspend": status.suspend,
                       "unsuspend": status.unsuspend}[action]
            changed = run(lambda: fn(session, ref, actor="cli", now=now(), **kwargs))
            credential_id = changed.credential_id
        with database.session() as session:
            changed = status.find_credential(session, credential_id)
            status.publish_changes(session, ctx, status.lists_of([changed]), now())
    done = {"revoke": "revoked", "suspend": "suspended", "unsuspend": "unsuspended"}[action]
    click.echo(f"{credential_id}: {done}")


@click.command("revoke")
@click.argument("credential_id", metavar="ID")
@click.option("--reason", required=True, help="Why (kept in the audit log).")
@click.option("--public", "public", is_flag=True,
              help="Show the reason on the credential's share page.")
def revoke(credential_id: str, reason: str, public: bool) -> None:
    """Revoke a credential permanently (it cannot be undone)."""
    _status_change("revoke", credential_id, reason=reason, public=public)


@click.command("suspend")
@click.argument("credential_id", metavar="ID")
def suspend(credential_id: str) -> None:
    """Suspend a credential (for example during an inquiry)."""
    _status_change("suspend", credential_id)


@click.command("unsuspend")
@click.argument("credential_id", metavar="ID")
def unsuspend(credential_id: str) -> None:
    """Lift a suspension."""
    _status_change("unsuspend", credential_id)


@click.command("revoke-bulk")
@click.argument("id_file", metavar="FILE")
@click.option("--reason", required=True)
@click.option("--public", is_flag=True)
def revoke_bulk(id_file: str, reason: str, public: bool) -> None:
    """Revoke every credential id listed in FILE (one per line); report each."""
    from issuer.services import status
    from issuer.services.context import IssuerContext

    refs = [line.strip() for line in read_bytes(id_file).decode("utf-8", "replace")
            .splitlines() if line.strip() and not line.startswith("#")]
    if not refs:
        raise UsageProblem(f"{id_file} lists no credential ids")
    with open_instance() as (settings, database):
        ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
        with database.session() as session:
            results = status.revoke_many(session, refs, reason=reason, public=public,
                                         actor="cli", now=now())
        done = [r.ref for r in results if r.ok]
        with database.session() as session:
            changed = [status.find_credential(session, ref) for ref in done]
            status.publish_changes(session, ctx, status.lists_of(changed), now())
    for result in results:
        if not result.ok:
            click.echo(f"{result.ref}: not revoked: {result.message} ({result.code})", err=True)
    click.echo(f"revoked {len(done)} of {len(results)}")
    if len(done) != len(results):
        sys.exit(1)


@click.command("renew")
@click.argument("credential_id", metavar="ID")
def renew(credential_id: str) -> None:
    """Issue a renewed credential that refers to the prior one; print it."""
    from issuer.services import issuance

    with open_instance() as (settings, database):
        ctx = issuance.IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
        with database.session() as session:
            issued = run(lambda: issuance.renew(session, ctx, credential_id, actor="cli",
                                                 now=now()))
            document = issued.document
    click.echo(document)


@click.command("expiring")
@click.option("--days", default=30, show_default=True, type=int)
def expiring(days: int) -> None:
    """List credentials that expire within DAYS (not revoked), for reminders."""
    import sqlalchemy as sa

    from issuer.models import IssuedCredential

    with open_instance() as (_, database), database.session() as session:
        current_time = now()
        rows = session.scalars(sa.select(IssuedCredential).where(
            IssuedCredential.valid_until.is_not(None),
            IssuedCredential.valid_until > current_time,
            IssuedCredential.valid_until <= current_time + timedelta(days=days),
            IssuedCredential.revoked_at.is_(None)).order_by(IssuedCredential.valid_until))
        for row in rows:
            click.echo(f"{row.valid_until:%Y-%m-%d}  {row.credential_id}  {row.recipient_email}"
                       f"  {row.achievement.name}")



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



@click.group("db")
def db() -> None:
    """The service's database."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the newest schema, then exit (run once before web and workers).

    Safe when several hosts start together: on PostgreSQL one migrates while the
    others wait for it (an advisory lock), then find the schema current.
    """
    with open_instance() as (settings, _):
        where_to = describe_database(settings.database_url)
        click.echo(f"The database is at the newest schema ({where_to})", err=True)


def register(group: click.Group, keys: click.Group) -> None:
    """Add these commands to the ``badges`` group (and ``keys rotate`` to ``keys``)."""
    for command in (serve, db, seed_demo, issuers, achievements, award, tokens, revoke, suspend,
                    unsuspend, revoke_bulk, renew, expiring):
        group.add_command(command)
    keys.add_command(keys_rotate)


@issuers.command("claim-code")
@click.option("--issuer", "slug", required=True,
              help="Issuer slug (a district's schools follow it).")
@click.option("--on/--off", "enabled", required=True,
              help="Require a transaction code sent by e-mail for every wallet claim "
                   "(OpenID4VCI pre-authorized code flow), or not (the default).")
def issuers_claim_code(slug: str, enabled: bool) -> None:
    """Require an e-mailed transaction code when teachers claim badges into a wallet."""
    from issuer.services import oid4vci
    from issuer.services import organizations

    with open_instance() as (_, database):
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            oid4vci.set_tx_code_rule(session, org, enabled=enabled, actor="cli", now=now())
    click.echo(f"{slug}: wallet claims {'need' if enabled else 'do not need'} a code sent "
               "by e-mail.")
