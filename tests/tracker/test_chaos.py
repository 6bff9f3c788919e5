"""The short chaos run of CI: scripts/chaos.py kills real Huey consumers (and sweeps) at random points, twice, on
PostgreSQL + Redis, and checks that no step, number, letter PDF, delivery or report job was lost or doubled.
The long run and its figures: docs/reliability.md."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not (os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")),
                       reason="needs DATABASE_URL pointing at PostgreSQL and REDIS_URL"),
]

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_killed_consumers_lose_no_work(tmp_path):
    """Its own plan in the test database (the workers connect to it), its own Huey queue on Redis."""
    db = connection.settings_dict
    url = f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = dict(os.environ, DATABASE_URL=url, CHAOS_VAR_DIR=str(tmp_path))
    run = subprocess.run([sys.executable, "scripts/chaos.py", "--kills", "2", "--seed", "3", "--units", "4",
                          "--measures", "4", "--reports", "1", "--max-wait", "2"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.count("; ok") == 2
