"""`flask entries recount`: compare the entries counted by competition, category and status with
the entries, and mend the counts (counts.py); `--check` only reports, and exits 1 on a
difference."""

import sys

import click

from portal.entries import bp, counts


@bp.cli.command("recount")
@click.option("--check", is_flag=True, help="Report the differences without mending them.")
def recount_command(check: bool) -> None:
    """Compare competition_entry_count with the entries and mend it."""
    found = counts.differences() if check else counts.recount()
    for d in found:
        click.echo(
            f"competition {d.competition_id}, category {d.category_id}, {d.status.value}: "
            f"kept {d.kept}, counted {d.counted}",
            err=True,
        )
    if not found:
        click.echo("entry counts: in agreement with the entries")
    elif check:
        click.echo(f"entry counts: {len(found)} difference(s)")
        sys.exit(1)
    else:
        click.echo(f"entry counts: {len(found)} difference(s) mended")
