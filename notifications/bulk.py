"""A lean multi-row INSERT for the sweep's big batches (tens of thousands of messages and steps).

`QuerySet.bulk_create` compiles every value through the field machinery one by one, which costs more
than the database's own work at this size. Here the values of each column are adapted once per
column type (dates and datetimes; the rest are plain ints and strings), the statement text is built
once per batch size, and the new ids come back through RETURNING (PostgreSQL; SQLite 3.35+). On
PostgreSQL the rows travel as one array per column (INSERT … SELECT FROM UNNEST), so the driver
does not parse a statement with tens of thousands of placeholders.
"""

from django.db import connection, models
from django.utils import timezone

MAX_PARAMS = 30000  # SQLite: below its default bound of 32,766 parameters per statement
ROWS_PER_UNNEST = 5000  # PostgreSQL: rows per INSERT … SELECT FROM UNNEST(arrays)


def _adapter(field: models.Field):
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return connection.ops.adapt_datefield_value
    return None


def insert(objs: list[models.Model], fields: list[str]) -> list[models.Model]:
    """Insert `objs` (plain values only in `fields`; other columns get NULL) and set their ids.

    A DateTimeField with auto_now_add among `fields` is filled with the current time.
    """
    if not objs:
        return objs
    model = type(objs[0])
    meta = model._meta
    columns = [meta.get_field(name) for name in fields]
    now = timezone.now()
    for field in columns:
        if getattr(field, "auto_now_add", False) or getattr(field, "auto_now", False):
            for obj in objs:
                setattr(obj, field.attname, now)
    adapters = [_adapter(field) for field in columns]
    attnames = [field.attname for field in columns]
    q = connection.ops.quote_name
    head = f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in columns)}) "
    tail = f" RETURNING {q(meta.pk.column)}"
    if connection.vendor == "postgresql":
        # one array per column: the statement has as many parameters as columns, whatever the rows
        size = ROWS_PER_UNNEST
        body = "SELECT * FROM UNNEST(" + ", ".join(
            f"%s::{field.target_field.db_type(connection) if field.is_relation else field.db_type(connection)}[]"
            for field in columns) + ")"
    else:
        size = max(1, MAX_PARAMS // len(columns))
        row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            batch = objs[start:start + size]
            values = [[getattr(obj, attname) for obj in batch] for attname in attnames]
            for i, adapt in enumerate(adapters):
                if adapt is not None:
                    values[i] = [None if v is None else adapt(v) for v in values[i]]
            if connection.vendor == "postgresql":
                cursor.execute(head + body + tail, values)
            else:
                params = [v for row in zip(*values, strict=True) for v in row]
                cursor.execute(head + "VALUES " + ", ".join([row_sql] * len(batch)) + tail, params)
            for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding = False
    return objs
