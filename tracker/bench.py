"""`manage.py bench`: builds synthetic data in databases of its own and measures the figures of the
performance targets (docs/performance.md). Never touches the working database.

Small (50 units) and large (1,000 units; --quick: 100) data sets live in two databases that are built
in the same run; each figure is the median of several runs after a warm-up, measured in this process.
Peak memory is measured in a fresh process of the app doing only the measured work (`--probe`). The inspection
report in parts (reports.parts) is measured with PARALLEL_WORKERS worker processes of its own, started fresh as a
Huey consumer's process workers are: each reports its own peak.
"""

import gc
import json
import logging
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse

from tracker import benchdata
from tracker.benchworkers import memory_mb, merge_parts, render_part, start_part_worker


@contextmanager
def bench_database(label: str) -> Iterator[None]:
    """Point the default connection at a fresh database (SQLite file or `bench_<label>` on PostgreSQL)."""
    conn = connections["default"]
    original = dict(conn.settings_dict)
    conn.close()
    if conn.vendor == "postgresql":
        name = f"bench_{label}"
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)', f'CREATE DATABASE "{name}"')
        conn.settings_dict["NAME"] = name
        cleanup = lambda: _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # noqa: E731
    else:
        folder = tempfile.mkdtemp(prefix=f"bench-{label}-")
        conn.settings_dict["NAME"] = str(Path(folder) / "bench.sqlite3")
        cleanup = lambda: [p.unlink() for p in Path(folder).iterdir()] and None  # noqa: E731
    try:
        call_command("migrate", verbosity=0, interactive=False)
        yield
    finally:
        conn.close()
        conn.settings_dict.clear()
        conn.settings_dict.update(original)
        cleanup()


def _pg_admin(*statements: str) -> None:
    with connection._nodb_cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def median_ms(fn: Callable[[], object], runs: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def count_queries(fn: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


PROBE_TIMEOUT = 1800  # seconds; a city report takes about half a minute


def peak_mb_in_process(probe: str, data: benchdata.BenchData) -> dict[str, float]:
    """Run a probe (PROBES) in a fresh `manage.py bench --probe` process on this benchmark database.

    Returns the process's peak resident memory in MB (`peak_mb`: the whole process — Python, Django, the
    app's code and the work, as in a web or Huey worker) and what the work added to the process at rest
    (`added_mb`). A fresh process, because this one has grown while building the benchmark data.
    """
    conn = connections["default"]
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "bench", "--probe", probe,
               "--probe-database", str(conn.settings_dict["NAME"]), "--probe-plan", str(data.plan.pk),
               "--probe-user", str(data.lead.pk)]
    conn.close()
    try:
        result = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(), check=False,
                                timeout=PROBE_TIMEOUT)
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"the {probe} probe took more than {PROBE_TIMEOUT} s") from None
    if result.returncode != 0:
        raise RuntimeError(f"the {probe} probe failed: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def is_bench_database(name: str) -> bool:
    """A database bench_database made: `bench_<label>` on PostgreSQL, a bench-<label>-… temp folder's file."""
    path = Path(name)
    return name.startswith("bench_") or (path.name == "bench.sqlite3" and path.parent.name.startswith("bench-")
                                         and path.parent.parent == Path(tempfile.gettempdir()))


def probe(name: str, plan_id: int, user_id: int) -> dict[str, float]:
    """One probe's work in this (fresh) process, with its memory: see peak_mb_in_process."""
    from plans.models import Plan
    from tracker.models import User

    plan = Plan.objects.get(pk=plan_id)
    user = User.objects.get(pk=user_id)
    work = PROBES[name](plan, user)
    gc.collect()
    at_rest = memory_mb("VmRSS")
    with override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
        work()
    peak = memory_mb("VmHWM")
    return {"peak_mb": round(peak, 1), "added_mb": round(peak - at_rest, 1)}


def _export_probe(plan, user) -> Callable[[], object]:
    client = Client()
    client.force_login(user)
    url = reverse("tasks:ledger_xlsx") + f"?plan={plan.pk}"
    return lambda: get_ok(client, url)


def _report_probe(plan, user) -> Callable[[], object]:
    from reports.inspection import build_report
    from reports.render import report_pdf

    return lambda: report_pdf(build_report("inspection", plan, benchdata.TODAY, generated_on=benchdata.TODAY))


def _fan_out_probe(plan, user) -> Callable[[], object]:
    """What a job in parts does before its parts render (reports.parts_jobs.fan_out): the report, its workbook and
    every part's HTML."""
    from reports.inspection import build_report
    from reports.parts import parts_html
    from reports.xlsx import report_xlsx

    def work() -> None:
        report = build_report("inspection", plan, benchdata.TODAY, generated_on=benchdata.TODAY)
        report_xlsx(report)
        parts_html(report)

    return work


PROBES = {"ledger_xlsx": _export_probe, "report": _report_probe, "report_fan_out": _fan_out_probe}


def get_ok(client: Client, url: str) -> bytes:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"GET {url} answered {response.status_code}")
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def page_urls(data: benchdata.BenchData) -> dict[str, tuple[object, str]]:
    """The measured pages: name → (user, URL)."""
    return {
        "dashboard": (data.lead, reverse("tasks:dashboard") + f"?plan={data.plan.pk}"),
        "unit_tasks": (data.liaison, reverse("tasks:my_tasks")),
        "ledger": (data.lead, reverse("tasks:ledger") + f"?plan={data.plan.pk}"),
        "assignment": (data.lead, reverse("tasks:assignment", args=[data.assignment_id])),
    }


def measure_pages(data: benchdata.BenchData, runs: int) -> dict[str, dict[str, float]]:
    results = {}
    for name, (user, url) in page_urls(data).items():
        client = Client()
        client.force_login(user)
        get_ok(client, url)  # warm-up: templates compiled, session loaded
        results[name] = {
            "queries": count_queries(lambda c=client, u=url: get_ok(c, u)),
            "ms": median_ms(lambda c=client, u=url: get_ok(c, u), runs),
        }
    return results


def measure_ledger_export(data: benchdata.BenchData) -> tuple[float, dict[str, float]]:
    """Seconds to stream every assignment of the plan to .xlsx, and the memory of a process doing it."""
    client = Client()
    client.force_login(data.lead)
    url = reverse("tasks:ledger_xlsx") + f"?plan={data.plan.pk}"
    start = time.perf_counter()
    size = len(get_ok(client, url))
    seconds = time.perf_counter() - start
    if size < 1000:
        raise RuntimeError("the ledger export is unexpectedly small")
    return seconds, peak_mb_in_process("ledger_xlsx", data)


def measure_report(data: benchdata.BenchData, *, memory: bool) -> dict[str, float]:
    """The inspection report PDF: total seconds, WeasyPrint's seconds on the same HTML, peak MB."""
    from reports.inspection import build_report
    from reports.render import report_html
    from tracker.pdf import html_to_pdf

    def whole() -> bytes:
        report = build_report("inspection", data.plan, benchdata.TODAY, generated_on=benchdata.TODAY)
        return html_to_pdf(report_html(report))

    html = report_html(build_report("inspection", data.plan, benchdata.TODAY, generated_on=benchdata.TODAY))
    total = median_ms(whole, runs=3) / 1000
    weasy = median_ms(lambda: html_to_pdf(html), runs=3) / 1000
    result = {"s": total, "weasyprint_s": weasy}
    if memory:
        result.update(peak_mb_in_process("report", data))
    return result


PARALLEL_WORKERS = 2


def measure_report_parallel(data: benchdata.BenchData, runs: int) -> dict[str, float]:
    """The inspection report in parts on PARALLEL_WORKERS worker processes (reports.parts, as reports.parts_jobs
    runs it on Huey): seconds from asking to the merged PDF (the report built and split here, as the job's own
    Huey job does; the parts rendered and merged by the workers), the median of ``runs``, and the peak resident
    memory of each worker (`worker_peak_mb`: the largest)."""
    from reports.inspection import build_report
    from reports.parts import page_count, parts_html

    peaks: dict[int, float] = {}
    times, pages = [], 0
    context = multiprocessing.get_context("spawn")  # fresh processes, not copies of this grown one
    with ProcessPoolExecutor(PARALLEL_WORKERS, mp_context=context, initializer=start_part_worker) as pool:
        list(pool.map(memory_mb, ["VmHWM"] * PARALLEL_WORKERS))  # both workers started before the clock runs
        for _ in range(runs):
            gc.collect()
            start = time.perf_counter()
            report = build_report("inspection", data.plan, benchdata.TODAY, generated_on=benchdata.TODAY)
            rendered = list(pool.map(render_part, parts_html(report)))
            merged = pool.submit(merge_parts, [pdf for pdf, _, _ in rendered]).result()
            times.append(time.perf_counter() - start)
            for _, pid, peak in [*rendered, merged]:
                peaks[pid] = max(peaks.get(pid, 0), peak)
            pages = page_count(merged[0])
    return {"s": statistics.median(times), "pages": pages, "parts": len(rendered),
            "worker_peak_mb": round(max(peaks.values()), 1)}


def measure_sweep(runs: int) -> tuple[float, float, int]:
    """The first sweep on the benchmark's day (its due steps), then the same sweep with nothing due."""
    from notifications.sweep import run_sweep

    start = time.perf_counter()
    first = run_sweep(benchdata.TODAY)
    first_s = time.perf_counter() - start
    steps = first["remind"] + first["urge"] + first["letter"] + first["circular"]
    noop_ms = median_ms(lambda: run_sweep(benchdata.TODAY), runs)
    again = run_sweep(benchdata.TODAY)
    if any(again[k] for k in ("remind", "urge", "letter", "circular")):
        raise RuntimeError(f"a second sweep sent steps again: {again}")
    return first_s, noop_ms, steps


def run(*, quick: bool, log: Callable[[str], None]) -> dict[str, float | int | str]:
    large_units = 100 if quick else 1000
    runs = 3 if quick else 7
    logging.getLogger("axes").setLevel(logging.WARNING)  # one line per forced login otherwise
    figures: dict[str, float | int | str] = {"mode": "quick" if quick else "full",
                                            "database": connection.vendor,
                                            "units_small": 50, "units_large": large_units}
    for label, units in (("small", 50), ("large", large_units)):
        with bench_database(label), override_settings(ALLOWED_HOSTS=["testserver"], SECURE_SSL_REDIRECT=False):
            start = time.perf_counter()
            data = benchdata.build(units, name=label)
            log(f"{label}: {data.units} units, {data.assignments} assignments, {data.submissions} submissions "
                f"built in {time.perf_counter() - start:.1f} s")
            figures[f"assignments_{label}"] = data.assignments
            figures[f"submissions_{label}"] = data.submissions
            for page, values in measure_pages(data, runs).items():
                figures[f"{page}_queries_{label}"] = values["queries"]
                figures[f"{page}_ms_{label}"] = round(values["ms"], 1)
            report = measure_report(data, memory=label == "large")
            parallel = measure_report_parallel(data, runs=3 if label == "small" else 2)
            scale = "district" if label == "small" else "city"
            figures[f"report_{scale}_parallel_s"] = round(parallel["s"], 2)
            figures[f"report_{scale}_parts"] = parallel["parts"]
            figures[f"report_{scale}_pages"] = parallel["pages"]
            figures[f"report_{scale}_worker_peak_mb"] = parallel["worker_peak_mb"]
            if label == "small":
                figures["report_district_s"] = round(report["s"], 2)
            else:
                figures["report_city_fan_out_peak_mb"] = peak_mb_in_process("report_fan_out", data)["peak_mb"]
                figures["report_city_s"] = round(report["s"], 2)
                figures["report_city_peak_mb"] = report["peak_mb"]
                figures["report_city_added_mb"] = report["added_mb"]
                figures["report_overhead_ratio"] = round(report["s"] / report["weasyprint_s"], 3)
                seconds, memory = measure_ledger_export(data)
                figures["ledger_xlsx_s"] = round(seconds, 2)
                figures["ledger_xlsx_peak_mb"] = memory["peak_mb"]
                figures["ledger_xlsx_added_mb"] = memory["added_mb"]
                sweep_s, noop_ms, steps = measure_sweep(runs)
                figures["sweep_10k_s"] = round(sweep_s, 2)
                figures["sweep_10k_steps"] = steps
                figures["sweep_noop_ms"] = round(noop_ms, 1)
            log(f"{label}: measured")
    return figures


PAGES = ("dashboard", "unit_tasks", "ledger", "assignment")
PAGE_MS_TARGET = {"dashboard": 250, "unit_tasks": 150, "ledger": 150, "assignment": 150}
MAX_PAGE_QUERIES = 15


def check_targets(figures: dict) -> list[str]:
    """The targets of docs/performance.md that these figures miss (time targets only at full size)."""
    misses = []
    for page in PAGES:
        small, large = figures[f"{page}_queries_small"], figures[f"{page}_queries_large"]
        if small != large:
            misses.append(f"{page}: {small} queries at 50 units but {large} at {figures['units_large']}")
        if large > MAX_PAGE_QUERIES:
            misses.append(f"{page}: {large} queries (at most {MAX_PAGE_QUERIES})")
    if figures["mode"] != "full":
        return misses
    limits = {f"{page}_ms_large": PAGE_MS_TARGET[page] for page in PAGES}
    limits.update(ledger_xlsx_s=20, ledger_xlsx_peak_mb=300, sweep_noop_ms=50, sweep_10k_s=10,
                  report_district_s=3, report_city_s=30, report_city_peak_mb=1024,
                  report_overhead_ratio=1.10,  # the project's own share at most 10% of the report's time
                  # in parts on PARALLEL_WORKERS workers: no process over 400 MB (the job's own, each worker)
                  report_district_parallel_s=2, report_city_parallel_s=15, report_city_worker_peak_mb=400,
                  report_city_fan_out_peak_mb=400)
    for key, limit in limits.items():
        if figures[key] > limit:
            misses.append(f"{key} = {figures[key]} (at most {limit})")
    return misses
