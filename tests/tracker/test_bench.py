"""`manage.py bench --quick --json` runs in CI: its pages' query counts meet the targets of issue 6."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = ("dashboard", "unit_tasks", "ledger", "assignment")


def test_quick_bench_query_counts_meet_the_targets(tmp_path):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tracker.settings", "DEBUG": "True", "VAR_DIR": str(tmp_path)}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run([sys.executable, "manage.py", "bench", "--quick", "--json"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    for page in PAGES:
        assert figures[f"{page}_queries_small"] == figures[f"{page}_queries_large"] <= 15, page
    assert figures["assignments_large"] > figures["assignments_small"] > 5000
    assert figures["sweep_10k_steps"] > 1000 and figures["targets_missed"] == []
    # the inspection report in parts on two worker processes of its own, each reporting its peak
    assert figures["report_city_parts"] >= 5 and figures["report_city_pages"] > figures["report_city_parts"]
    assert 0 < figures["report_city_worker_peak_mb"] < 1024 and 0 < figures["report_city_fan_out_peak_mb"] < 1024
    assert not list(tmp_path.glob("*.sqlite3")), "the bench must not write the working database"
