"""Inserting many rows at once for list syncs: COPY on PostgreSQL, bulk_create elsewhere.

A UN list version is about 1,000 entries and 9,000 child rows. On PostgreSQL, Django's
bulk_create spends most of its time in Python (client-side query composition, quoting every
value, escaping the quotes of the entries' JSON one regex callback at a time); psycopg's COPY
sends the same rows formatted in C. The rows are Django model instances either way, so the
caller does not care which path runs."""
from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models, router


def insert_all(objs: Sequence[models.Model], *, batch_size: int = 1000) -> None:
    """Insert unsaved instances of one model and set their primary keys."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]  # the backend itself, not the per-thread proxy
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=batch_size)
        return
    meta = model._meta
    fields = list(meta.concrete_fields)
    quote = connection.ops.quote_name
    # Database errors surface as Django's (IntegrityError...), as from the ORM.
    with connection.wrap_database_errors, connection.cursor() as cursor:
        # Keys come from the table's own sequence, as an INSERT would take them.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        for obj, (key,) in zip(objs, cursor.fetchall()):
            obj.pk = key
        columns = ", ".join(quote(field.column) for field in fields)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row([
                    field.get_db_prep_save(field.pre_save(obj, add=True), connection) for field in fields
                ])
    for obj in objs:
        obj._state.adding, obj._state.db = False, connection.alias
