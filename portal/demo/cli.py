import click

from portal.demo import bp
from portal.demo.figures import DEMO_API_SECRET
from portal.demo.services import DEMO_PASSWORD, load_demo, other_demo_accounts


@bp.cli.command("load")
def load_command() -> None:
    """Load the demo accounts (safe to run again: nothing is added twice)."""
    accounts = load_demo()
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
    for account in accounts:
        click.echo(f"  {account['role']:<28} {account['email']:<36} {account['name']}")
    click.echo(
        "\nThe other demo accounts (same password): judges, and applicants with their entries"
    )
    for account in other_demo_accounts():
        click.echo(f"  {account['role']:<10} {account['email']:<40} {account['name']}")
        for line in account["what"]:
            click.echo(f"  {'':<10} {line}")
    click.echo(
        "\nThe API, with the demo token reading Lào Cai (docs/api.md):"
        f"\n  curl -H 'Authorization: Bearer {DEMO_API_SECRET}' "
        "http://127.0.0.1:5000/api/v1/indicators"
    )
    click.echo(
        "\nMail is printed by `flask mail send --watch` (make mail). Reminders of progress reports"
        "\nand the organisers' weekly digest are queued by `flask reminders send`: run it by hand"
        "\nhere, and every hour in production (cron or a systemd timer: see README.md)."
    )
    click.echo("")
