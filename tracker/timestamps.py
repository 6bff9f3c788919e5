"""Writing rows with times of our own choosing (the demo's simulated life, the benchmark's data)."""

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def dates_as_given(*models) -> Iterator[None]:
    """Let bulk writes carry their own created_at / updated_at: auto_now fields stop stamping 'now' meanwhile."""
    fields = [f for m in models for f in m._meta.concrete_fields
              if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add
