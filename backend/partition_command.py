"""``wikiviews partition``: partition an existing PostgreSQL store's large tables."""

from __future__ import annotations

import click

from backend import db, partitions
from backend.ingest.dialect import dialect_for
from backend.settings import load_settings


@click.command("partition")
def partition() -> None:
    """Partition day_counts and page_hours by month, page_months by year (PostgreSQL).

    For a store created before WIKIVIEWS_PARTITION_LARGE_TABLES=1 was set (new stores are
    partitioned when they are created). One transaction: each table is renamed, created
    partitioned with a partition per month (year) of the store, its rows copied in and the
    old table dropped. Reads of these tables wait until it commits; loads wait too. Run it
    again and it finds nothing to do.
    """
    settings = load_settings()
    if not settings.partition_large_tables:
        raise click.ClickException(
            "WIKIVIEWS_PARTITION_LARGE_TABLES is off: set it to 1 to partition this store"
        )
    engine = db.make_engine(settings)
    try:
        if not db.schema_is_current(settings, engine):
            raise click.ClickException(
                "the store's schema is not the code's: run `wikiviews db upgrade` first"
            )
        with engine.connect().execution_options(**db.WRITE) as connection, connection.begin():
            dialect_for(connection).lock()  # the loaders' lock: no load while tables move
            converted = partitions.convert(connection, progress=click.echo)
    except partitions.PartitionError as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        engine.dispose()
    if not converted:
        click.echo("the store is already partitioned")
