"""Batch award commands: ``badges award-batch``, ``badges batch ...`` and ``badges worker``.

Commands parse arguments, call :mod:`issuer.batch.service`, and print.
``award-batch`` checks every row first (``--preview`` stops there), then runs
the batch on the configured job backend and shows its progress until it ends
(with RQ, ``--no-wait`` returns at once). Exit codes: 0 every row issued or
skipped, 1 some rows failed or are still pending, 2 usage error.
"""

from __future__ import annotations

import csv
import io
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from issuer.cli.context import UsageProblem
from issuer.cli.context import now
from issuer.cli.context import open_instance
from issuer.cli.context import read_bytes
from issuer.cli.context import run
from issuer.storage import Storage
from issuer.storage import storage_for

#: How many failed rows are printed (the rest are in ``--report``).
PRINTED_FAILURES = 200
_POLL_SECONDS = 0.3


def _queue(settings: Any, workers: int | None) -> Any:
    from dataclasses import replace

    from issuer.jobs.config import load_job_settings
    from issuer.jobs.config import make_queue

    jobs = load_job_settings()
    if workers:
        jobs = replace(jobs, workers=workers)
    return make_queue(settings, jobs)


def _print_preview(preview: Any, *, errors: bool) -> None:
    click.echo(f"{preview.total} rows: {preview.to_issue} to issue, "
               f"{preview.already_issued} already issued, {preview.duplicates} repeated, "
               f"{preview.failing} with errors")
    if preview.ignored_columns:
        click.echo(f"Ignored columns: {', '.join(preview.ignored_columns)}")
    if not errors:
        return
    for error in preview.errors[:PRINTED_FAILURES]:
        where = f" ({error.field})" if error.field else ""
        click.echo(f"  line {error.line}{where}: {error.message} [{error.code}]")
    if len(preview.errors) > PRINTED_FAILURES:
        click.echo(f"  ... and {len(preview.errors) - PRINTED_FAILURES} more")


def _wait(database: Any, batch_id: str, jobs: list[str], queue: Any) -> Any:
    """Show progress until the run ends, or until no job of it is left to run."""
    from issuer.batch import service

    def read() -> Any:
        with database.sessions() as session:
            return service.progress(session, service.get(session, batch_id), now=now())

    progress = read()
    tty = sys.stdout.isatty()
    shown = progress.total - progress.pending
    last_line = 0.0
    with click.progressbar(length=progress.total, label="Issuing", show_pos=True,
                           show_percent=True, file=sys.stdout if tty else io.StringIO()) as bar:
        bar.update(shown)
        while True:
            if progress.finished:
                break
            if not any(queue.state(j) in ("queued", "running") for j in jobs):
                progress = read()
                break
            time.sleep(_POLL_SECONDS)
            progress = read()
            done = progress.total - progress.pending
            bar.update(done - shown)
            shown = done
            if not tty and time.monotonic() - last_line > 5:
                last_line = time.monotonic()
                click.echo(f"  {done} of {progress.total} rows done "
                           f"({progress.issued} issued)", err=True)
        bar.update(progress.total - progress.pending - shown)
    active = getattr(queue, "active", None)
    if active is not None and progress.notify:
        click.echo("Sending e-mail notifications...", err=True)
        while active():
            time.sleep(_POLL_SECONDS)
        progress = read()
    return progress


def _report(database: Any, batch_id: str, base_url: str, progress: Any,
            report_path: str | None) -> None:
    from issuer.batch import service
    from issuer.models_batch import RowState

    click.echo(f"Batch {batch_id}: {progress.status}")
    click.echo(f"issued {progress.issued}, skipped {progress.skipped} (already issued), "
               f"failed {progress.failed}" + (f", pending {progress.pending}"
                                              if progress.pending else ""))
    if progress.notify:
        click.echo(f"notified {progress.notified} of {progress.issued}")
    with database.sessions() as session:
        batch = service.get(session, batch_id)
        failed = service.report_rows(session, batch, states=[RowState.FAILED],
                                     limit=PRINTED_FAILURES)
        for row in failed:
            where = f" ({row.field})" if row.field else ""
            click.echo(f"  line {row.line}{where}: {row.message} [{row.code}]")
        if progress.failed > len(failed):
            click.echo(f"  ... and {progress.failed - len(failed)} more failed rows")
        if report_path:
            rows = service.report_rows(session, batch, limit=None)
            with Path(report_path).open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["line", "state", "email", "name", "code", "field", "message",
                                 "credential_id", "share_url"])
                for row in rows:
                    item = row.to_json(base_url)
                    writer.writerow([row.line, row.state, row.email, row.name, row.code or "",
                                     row.field or "", row.message or "",
                                     row.credential_id or "", item["shareUrl"] or ""])
            click.echo(f"Wrote the report of every row to {report_path}", err=True)
    if progress.error:
        click.echo(f"Last error: {progress.error}", err=True)
    if progress.pending:
        click.echo(f"{progress.pending} rows are still pending: run "
                   f"'badges batch resume {batch_id}' (nothing is issued twice)", err=True)


def _exit_code(progress: Any) -> int:
    return 0 if progress.status == "completed" and not progress.failed else 1


@click.command("award-batch")
@click.argument("path", metavar="FILE")
@click.option("--issuer", "slug", required=True, help="Issuer slug.")
@click.option("--achievement", default=None,
              help="Achievement (id or slug) for rows without an achievement column.")
@click.option("--format", "fmt", type=click.Choice(["di", "jwt"]), default="di",
              show_default=True)
@click.option("--run-key", default=None,
              help="Award the same achievement to the same people again in a new run "
                   "(part of each row's idempotency key).")
@click.option("--preview", is_flag=True, help="Check every row and report; issue nothing.")
@click.option("--notify", is_flag=True, help="E-mail each recipient (BADGES_SMTP_HOST).")
@click.option("--no-wait", is_flag=True, help="Queue the run and return (with RQ workers).")
@click.option("--chunk-size", type=click.IntRange(10, 5000), default=250, show_default=True,
              help="Rows per job and transaction.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="In-process worker processes (default: one per core).")
@click.option("--bake-dir", type=click.Path(file_okay=False), default=None,
              help="Also write each credential baked into its badge PNG to this directory.")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Write every row's outcome to this CSV file.")
def award_batch(path: str, slug: str, achievement: str | None, fmt: str, run_key: str | None,
                preview: bool, notify: bool, no_wait: bool, chunk_size: int,
                workers: int | None, bake_dir: str | None, report_path: str | None) -> None:
    """Award achievements to every row of a CSV or XLSX file.

    Columns: email, name, achievement (or --achievement), and optionally
    evidence_url, evidence_narrative, issued_on and expires_on (YYYY-MM-DD).
    """
    from issuer.batch import intake
    from issuer.batch import service
    from issuer.batch.notify import load_smtp
    from issuer.jobs.config import load_job_settings
    from issuer.services import organizations

    source = run(lambda: intake.read_file(read_bytes(path), Path(path).name))
    if notify and load_smtp() is None:
        raise UsageProblem("--notify needs BADGES_SMTP_HOST (and BADGES_SMTP_PORT)")
    if bake_dir:
        Path(bake_dir).mkdir(parents=True, exist_ok=True)
    with open_instance() as (settings, database):
        backend = load_job_settings().backend
        with database.session() as session:
            org = run(lambda: organizations.get(session, slug))
            checked = run(lambda: service.preview(session, org, source, now=now(),
                                                   achievement=achievement, run_key=run_key))
        _print_preview(checked, errors=preview)
        if preview:
            sys.exit(1 if checked.errors else 0)
        with database.session() as session:
            org = organizations.get(session, slug)
            batch = run(lambda: service.create(
                session, org, source, actor="cli", now=now(), backend=backend, fmt=fmt,
                achievement=achievement, run_key=run_key, filename=Path(path).name,
                notify=notify, chunk_size=chunk_size,
                bake_dir=str(Path(bake_dir).resolve()) if bake_dir else None,
                checked=checked.checked))
            batch_id = batch.id
        _start_and_follow(settings, database, batch_id, workers=workers, no_wait=no_wait,
                          report_path=report_path)


def _start_and_follow(settings: Any, database: Any, batch_id: str, *, workers: int | None,
                      no_wait: bool, report_path: str | None,
                      prepare: Callable[[Any, Any], bool] | None = None) -> None:
    from issuer.batch import service

    queue = _queue(settings, workers)
    try:
        with database.session() as session:
            batch = service.get(session, batch_id)
            if prepare is not None and not prepare(session, batch):
                jobs: list[str] = []
            else:
                session.commit()
                jobs = service.start(session, queue, batch)
        click.echo(f"Batch {batch_id}: {len(jobs)} jobs on the {queue.backend} backend; "
                   f"progress at {settings.base_url}/batches/{batch_id}", err=True)
        if no_wait and queue.backend == "rq":
            return
        progress = _wait(database, batch_id, jobs, queue)
    finally:
        queue.close()
    _report(database, batch_id, settings.base_url, progress, report_path)
    sys.exit(_exit_code(progress))


@click.group("batch")
def batch_group() -> None:
    """Batch award runs: status, resume, cancel, report."""


@batch_group.command("status")
@click.argument("batch_id", metavar="ID")
def batch_status(batch_id: str) -> None:
    """Print a run's progress."""
    from issuer.batch import service

    with open_instance() as (_, database), database.sessions() as session:
        batch = run(lambda: service.get(session, batch_id))
        state = service.progress(session, batch, now=now())
    for key, value in state.to_json().items():
        click.echo(f"{key:<12}{'' if value is None else value}")


@batch_group.command("resume")
@click.argument("batch_id", metavar="ID")
@click.option("--no-wait", is_flag=True, help="Queue the pending rows and return (RQ).")
@click.option("--workers", type=click.IntRange(1, 64), default=None)
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None)
def batch_resume(batch_id: str, no_wait: bool, workers: int | None,
                 report_path: str | None) -> None:
    """Run what is still pending (after a crash, a killed worker, a failure or a cancel)."""
    from issuer.batch import service

    with open_instance() as (settings, database):
        with database.sessions() as session:
            run(lambda: service.get(session, batch_id))

        def prepare(session: Any, batch: Any) -> bool:
            return service.mark_resumed(session, batch, actor="cli", now=now())

        _start_and_follow(settings, database, batch_id, workers=workers, no_wait=no_wait,
                          report_path=report_path, prepare=prepare)


@batch_group.command("cancel")
@click.argument("batch_id", metavar="ID")
def batch_cancel(batch_id: str) -> None:
    """Stop a run (rows not yet issued stay pending; 'resume' continues it)."""
    from issuer.batch import service

    with open_instance() as (_, database), database.session() as session:
        batch = run(lambda: service.get(session, batch_id))
        run(lambda: service.cancel(session, batch, actor="cli", now=now()))
    click.echo(f"Batch {batch_id}: cancelled")


@batch_group.command("report")
@click.argument("batch_id", metavar="ID")
@click.option("--csv", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Write every row's outcome to this CSV file.")
def batch_report(batch_id: str, report_path: str | None) -> None:
    """Print a run's counts and failed rows."""
    from issuer.batch import service

    with open_instance() as (settings, database):
        with database.sessions() as session:
            batch = run(lambda: service.get(session, batch_id))
            progress = service.progress(session, batch, now=now())
        _report(database, batch_id, settings.base_url, progress, report_path)
    sys.exit(_exit_code(progress))


def _follow_certificates(storage: Storage, batch_id: str, job: str | None,
                         queue: Any) -> Any:
    """Show the rendering's progress until it is done or failed (or its job is gone)."""
    from issuer.certificates import runs
    from issuer.jobs.config import load_job_settings

    stall_seconds = load_job_settings().stall_seconds

    def read() -> Any:
        return runs.status(storage, batch_id)

    manifest = read()
    tty = sys.stdout.isatty()
    with click.progressbar(length=1, label="Rendering", show_pos=True, show_percent=True,
                           file=sys.stdout if tty else io.StringIO()) as bar:
        shown, last_line = 0, 0.0
        while manifest.state in ("queued", "running"):
            if job is not None and queue.state(job) not in ("queued", "running"):
                time.sleep(_POLL_SECONDS)  # the job may have finished after the last read
                manifest = read()
                break
            if job is None and manifest.updated_at is not None and \
                    (now() - manifest.updated_at).total_seconds() > stall_seconds:
                break
            time.sleep(_POLL_SECONDS)
            manifest = read()
            summary = manifest.summary()
            if summary["total"] is not None:
                bar.length = max(1, summary["total"])
                done = summary["total"] - summary["pending"]
                bar.update(done - shown)
                shown = done
                if not tty and time.monotonic() - last_line > 5:
                    last_line = time.monotonic()
                    click.echo(f"  {done} of {summary['total']} certificates done", err=True)
    return manifest


@batch_group.command("certificates")
@click.argument("batch_id", metavar="RUN_ID")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False),
              help="Where to write the ZIP of PDFs.")
@click.option("--paper", type=click.Choice(["a4", "letter"]), default=None,
              help="Paper size (default: letter, or that of certificates already made).")
@click.option("--template", default=None,
              help="Template name (the issuer's own, its district's, or a built-in one).")
@click.option("--force", is_flag=True, help="Make them again even if they were made.")
@click.option("--no-wait", is_flag=True, help="Queue the job and return (with RQ workers).")
def batch_certificates(batch_id: str, out: str, paper: str | None, template: str | None,
                       force: bool, no_wait: bool) -> None:
    """Render the PDF certificate of every credential a completed run issued, as one ZIP.

    Revoked credentials are skipped; certificates that cannot be made are
    listed. Exit codes: 0 every certificate made, 1 some failed or the job
    stopped, 2 usage error (unknown or unfinished run, bad template).
    """
    from issuer.batch import service
    from issuer.certificates import runs
    from issuer.jobs.config import load_job_settings

    with open_instance() as (settings, database):
        queue = _queue(settings, None)
        try:
            with database.sessions() as session:
                batch = run(lambda: service.get(session, batch_id))
                manifest, queued = run(lambda: runs.start(
                    session, queue, batch, storage=storage_for(settings), now=now(),
                    paper=paper, template=template, force=force,
                    stall_seconds=load_job_settings().stall_seconds))
            job = manifest.job_id if queued else None
            click.echo(f"Certificates of batch {batch_id} ({manifest.paper}, template "
                       f"{manifest.template!r}): {manifest.state}"
                       + (f", on the {queue.backend} backend" if queued else ""), err=True)
            if no_wait and queue.backend == "rq":
                return
            manifest = _follow_certificates(storage_for(settings), batch_id, job, queue)
        finally:
            queue.close()
        summary = manifest.summary()
        click.echo(f"Certificates: {summary['state']}; made {summary['rendered']}, failed "
                   f"{summary['failed']}, skipped {summary['revoked']} revoked and "
                   f"{summary['suspended']} suspended")
        for error in summary["errors"][:PRINTED_FAILURES]:
            click.echo(f"  {error['credentialId']}: {error['message']} [{error['code']}]")
        for skipped in summary["skipped"][:PRINTED_FAILURES]:
            click.echo(f"  {skipped['credentialId']}: skipped ({skipped['reason']})")
        if manifest.error:
            click.echo(f"Last error: {manifest.error}", err=True)
        if manifest.state != "done":
            click.echo(f"Run 'badges batch certificates {batch_id} --out {out}' again to "
                       "continue (certificates already made are kept)", err=True)
            sys.exit(1)
        files = storage_for(settings)
        key = run(lambda: runs.zip_key(files, batch_id))
        with open(out, "wb") as handle:
            for chunk in files.stream(key):
                handle.write(chunk)
        click.echo(f"Wrote {summary['rendered']} certificates to {out}", err=True)
    sys.exit(1 if summary["failed"] else 0)


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
def worker(burst: bool) -> None:
    """Run a job worker for RQ (BADGES_REDIS_URL); run as many as the district needs."""
    from issuer.config import ConfigError
    from issuer.jobs.config import load_job_settings
    from issuer.jobs.redis_queue import work

    try:
        jobs = load_job_settings()
    except ConfigError as exc:
        raise UsageProblem(str(exc)) from None
    if not jobs.redis_url:
        raise UsageProblem("set BADGES_REDIS_URL to run a worker (without it, jobs run "
                           "in-process)")
    click.echo(f"Worker on {jobs.queue_name} at {jobs.redis_url}", err=True)
    work(jobs.redis_url, name=jobs.queue_name, burst=burst, timeout=jobs.job_timeout,
         sweep_every=max(1.0, jobs.stall_seconds / 4))


def register(group: click.Group) -> None:
    """Add the batch commands to the ``badges`` command group."""
    group.add_command(award_batch)
    group.add_command(batch_group)
    group.add_command(worker)
