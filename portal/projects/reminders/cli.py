"""`flask reminders send`: queue the reminders that are due, once each (see services.py); safe
to run every hour from cron or a systemd timer, and at the same time as another run."""

import click
from flask.cli import AppGroup

from portal.projects.reminders.services import send_reminders

reminders_cli = AppGroup("reminders", help="Reminders of progress reports and the weekly digest.")


@reminders_cli.command("send")
def send_command() -> None:
    """Queue in the outbox the reminders due now; `flask mail send` sends them."""
    counts = send_reminders()
    click.echo(f"reminders: {counts['queued']} queued, {counts['already']} already sent before")
