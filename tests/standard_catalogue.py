"""The standard 指标目录 that the migration writes. A transactional test's flush empties every table, data
written by migrations included, so a test that needs the catalogue puts it back through the migration's own
function when a flush on the same worker has emptied it."""

import importlib

from django.apps import apps

from indicators.models import Indicator

_migration = importlib.import_module("indicators.migrations.0002_standard_catalogue")


def ensure_standard_catalogue() -> None:
    if not Indicator.objects.exists():
        _migration.add_catalogue(apps, None)
