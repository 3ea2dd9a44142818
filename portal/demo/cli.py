import click

from portal.demo import bp
from portal.demo.services import DEMO_PASSWORD, load_demo


@bp.cli.command("load")
def load_command() -> None:
    """Load the demo accounts (safe to run again: nothing is added twice)."""
    accounts = load_demo()
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
    for account in accounts:
        click.echo(f"  {account['role']:<28} {account['email']:<36} {account['name']}")
    click.echo("")
