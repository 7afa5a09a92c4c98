"""Writes the ORM makes slower than they need to be, on the paths every signer takes."""

from django.db import connection
from django.db.models import Model


def update_rows(rows: list[Model], fields: list[str] | tuple[str, ...]) -> None:
    """Save `fields` of each row, as QuerySet.bulk_update would. bulk_update builds one
    UPDATE with a CASE per field and row, which costs 0.78 ms of CPU a row to compile (six
    fields, 50 rows; bench/flow_cpu.py); the same plain UPDATE for every row, sent with
    executemany (one round trip in psycopg 3's pipeline), costs 0.05 ms. Plain values only
    (no expressions)."""
    if not rows or not fields:
        return
    model = type(rows[0])
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    sql = "UPDATE {} SET {} WHERE {} = %s".format(
        connection.ops.quote_name(meta.db_table),
        ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in columns),
        connection.ops.quote_name(meta.pk.column),
    )
    params = [
        [field.get_db_prep_save(getattr(row, field.attname), connection) for field in columns]
        + [row.pk]
        for row in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def upsert_row(row: Model, *, unique_fields: list[str], update_fields: list[str]) -> None:
    """Insert `row`, or where a row with the same `unique_fields` exists, set its
    `update_fields` from it: QuerySet.bulk_create([row], update_conflicts=True, …) for one
    row, with the statement built once per process (the sign POST's INSERT of 40 columns
    took a tenth of its CPU to build each time, profiled with py-spy under bench/surge.py).
    The row's primary key is not read back."""
    model = type(row)
    meta = model._meta
    key = (model, tuple(unique_fields), tuple(update_fields), connection.vendor)
    if key not in _UPSERTS:
        quote = connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if not (f.primary_key and f.auto_created)]
        conflict = ", ".join(quote(meta.get_field(name).column) for name in unique_fields)
        updates = ", ".join(
            f"{quote(column)} = EXCLUDED.{quote(column)}"
            for column in (meta.get_field(name).column for name in update_fields)
        )
        sql = "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO UPDATE SET {}".format(
            quote(meta.db_table),
            ", ".join(quote(f.column) for f in fields),
            ", ".join(["%s"] * len(fields)),
            conflict,
            updates,
        )
        _UPSERTS[key] = (sql, fields)
    sql, fields = _UPSERTS[key]
    params = [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


_UPSERTS: dict[tuple, tuple[str, list]] = {}
