import click

from portal.units import bp
from portal.units.services import load_units


@bp.cli.command("load")
def load_command() -> None:
    """Load the provinces and communes from the vietnam-provinces package."""
    counts = load_units()
    click.echo(
        f"Units: {counts['added']} added, {counts['updated']} updated, {counts['total']} in all."
    )
