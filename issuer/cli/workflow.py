"""The workflow commands of the ``badges`` CLI (accounts, mail and expiry reminders).

* ``badges users invite --org SLUG --email ADDRESS --role earner [--role reviewer ...]``:
  an invitation link (printed, and e-mailed when SMTP is configured);
* ``badges users set-password --email ADDRESS``: set a password (asked twice, hidden);
* ``badges mail send``: send what waits in the e-mail outbox;
* ``badges remind-expiring [--days 30,7] [--dry-run]``: e-mail the recipients
  of badges about to expire, with a link to renew (issue #6; for cron).
"""

from __future__ import annotations

import click

from issuer.cli.context import UsageProblem
from issuer.cli.context import now
from issuer.cli.context import open_instance
from issuer.cli.context import run

_ROLES = click.Choice(["admin", "reviewer", "earner"])


@click.group()
def users() -> None:
    """People: invitations and passwords."""


@users.command("invite")
@click.option("--org", "slug", required=True, help="District or school slug.")
@click.option("--email", required=True)
@click.option("--role", "roles", multiple=True, type=_ROLES, required=True,
              help="admin, reviewer (reviewer/mentor) or earner (teacher); repeatable.")
def users_invite(slug: str, email: str, roles: tuple[str, ...]) -> None:
    """Invite someone by e-mail link to roles in an organization."""
    from issuer.services import organizations
    from issuer.workflow import accounts
    from issuer.workflow import notifications
    from issuer.workflow.config import load_workflow_settings

    with open_instance() as (settings, database):
        workflow = load_workflow_settings(settings)
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            invitation, token = run(lambda: accounts.invite(
                session, org=org, email=email, roles=accounts.parse_roles(list(roles)),
                invited_by=None, now=now(), days=workflow.invitation_days))
            link = f"{settings.base_url}/invite/{token}"
            notifications.queue(
                session, kind="invitation", to=invitation.email, now=now(),
                seal_key=workflow.mail.seal_key,
                subject=f"You are invited to {org.name} micro-credentials",
                body=f"Hello,\n\nYou are invited to {org.name} on the district's "
                     f"micro-credential service.\n\nChoose your name and password here "
                     f"(the link works for {workflow.invitation_days} days):\n\n{link}\n")
        with database.session() as session:
            notifications.deliver_pending(session, workflow.mail, now=now())
    click.echo(link)


@users.command("set-password")
@click.option("--email", required=True)
@click.password_option("--password", prompt="New password")
def users_set_password(email: str, password: str) -> None:
    """Set someone's password (at least 10 characters)."""
    from issuer.services import recipients
    from issuer.workflow import accounts
    from issuer.workflow.config import load_workflow_settings

    with open_instance() as (settings, database):
        workflow = load_workflow_settings(settings)
        with database.session() as session:
            person = recipients.find_by_email(session, email)
            if person is None:
                raise UsageProblem(f"nobody has the address {email}")
            run(lambda: accounts.set_password(person, password, n=workflow.scrypt_n))
            # a new password ends any sign-in hold on the account
            accounts.clear_sign_in_failures(session, person, workflow.throttle)
    click.echo(f"Password set for {email}.")


@click.group()
def mail() -> None:
    """The e-mail outbox."""


@mail.command("send")
def mail_send() -> None:
    """Send the e-mails waiting in the outbox (needs BADGES_SMTP_HOST)."""
    from issuer.workflow import notifications
    from issuer.workflow.config import load_workflow_settings

    with open_instance() as (settings, database):
        workflow = load_workflow_settings(settings)
        if workflow.mail.host is None:
            raise UsageProblem("set BADGES_SMTP_HOST (and BADGES_SMTP_PORT) to send e-mail")
        with database.session() as session:
            sent = notifications.deliver_pending(session, workflow.mail, now=now())
            left = len(notifications.pending(session))
    click.echo(f"Sent {sent} message(s); {left} waiting.")


@click.command("remind-expiring")
@click.option("--days", default="30,7", show_default=True,
              help="Reminder windows: days before expiry, comma-separated (at most 30).")
@click.option("--dry-run", is_flag=True, help="List the reminders due; queue and send nothing.")
def remind_expiring(days: str, dry_run: bool) -> None:
    """E-mail each teacher whose badge expires within a window, once per window.

    Safe to run as often as you like (e.g. daily from cron): a reminder already
    sent for a badge and window is never sent again.
    """
    from issuer.services.context import IssuerContext
    from issuer.workflow import reminders
    from issuer.workflow.config import load_workflow_settings

    windows = run(lambda: reminders.parse_windows(days))
    with open_instance() as (settings, database):
        if dry_run:
            with database.session() as session:
                due = [d for batch in reminders.due_reminders(session, now=now(),
                                                              windows=windows) for d in batch]
            for d in due:
                click.echo(f"{d.valid_until:%Y-%m-%d}  {d.window_days:>2} d  {d.credential_ref}"
                           f"  {d.to}  {d.achievement}")
            click.echo(f"{len(due)} reminder(s) due; nothing was queued (dry run).")
            return
        ctx = IssuerContext(base_url=settings.base_url, kek=settings.key_encryption_key)
        mail_settings = load_workflow_settings(settings).mail
        with database.session() as session:
            queued = reminders.send_expiry_reminders(session, ctx, now=now(), windows=windows)
        sent = reminders.deliver_all(database, mail_settings, now=now())
    waiting = "" if mail_settings.host is not None else \
        " (no BADGES_SMTP_HOST: they wait in the outbox for 'badges mail send')"
    click.echo(f"Queued {queued} reminder(s); sent {sent} e-mail(s){waiting}.")


def register(group: click.Group) -> None:
    """Add the workflow commands to the ``badges`` command group."""
    for command in (users, mail, remind_expiring):
        group.add_command(command)
