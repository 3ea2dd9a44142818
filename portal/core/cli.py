"""`flask mail send`: the outbox worker, a thin wrapper over portal.core.outbox; `flask storage
sweep`: files that no row names, left by a process killed between writing a file and committing."""

import time

import click
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from portal.core import storage
from portal.core.outbox import send_due
from portal.extensions import db

mail_cli = AppGroup("mail", help="Send the e-mail waiting in the outbox.")


@mail_cli.command("send")
@click.option("--watch", is_flag=True, help="Keep running and send new mail as it arrives.")
@click.option("--interval", default=5.0, show_default=True, help="Seconds between two looks.")
@click.option("--limit", default=100, show_default=True, help="At most this many per look.")
def send_command(watch: bool, interval: float, limit: int) -> None:
    """Send what is due once, or in a loop with --watch."""
    while True:
        try:
            counts = send_due(limit=limit)
        except SQLAlchemyError as exc:
            if not watch:
                raise
            # The database may be restarting: the worker waits and tries again.
            db.session.rollback()
            click.echo(f"mail: database unavailable ({exc.__class__.__name__}), retrying", err=True)
            time.sleep(interval)
            continue
        if any(counts.values()) or not watch:
            click.echo(
                f"mail: {counts['sent']} sent, {counts['retry']} to retry, {counts['failed']} failed"
            )
        if not watch:
            return
        time.sleep(interval)


storage_cli = AppGroup("storage", help="Look after the uploaded files.")


@storage_cli.command("sweep")
@click.option(
    "--older-than",
    "hours",
    default=24.0,
    show_default=True,
    help="Only files last written more than this many hours ago (a request may be writing one).",
)
@click.option("--delete", is_flag=True, help="Remove them; without it, only list them.")
def sweep_command(hours: float, delete: bool) -> None:
    """List (or with --delete remove) the uploaded files that no row names."""
    found = list(storage.orphans(grace_seconds=hours * 3600))
    for path in found:
        size = path.stat().st_size
        if delete:
            storage.delete(path.name)
        click.echo(f"{'removed' if delete else 'orphan'}: {path.name} ({size} bytes)")
    verb = "removed" if delete else "found (run again with --delete to remove them)"
    click.echo(f"storage: {len(found)} orphan file(s) {verb}")
