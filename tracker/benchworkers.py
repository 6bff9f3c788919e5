"""The worker processes of the bench's report in parts (tracker.bench.measure_report_parallel): started fresh
(spawned), so this module imports nothing of the app before Django is set up.
"""

import os
from pathlib import Path


def memory_mb(field: str) -> float:
    """VmRSS (resident now) or VmHWM (peak resident) of this process image, in MB.

    Not getrusage's ru_maxrss: Linux carries it over exec from the forking parent, so a child of a big
    process would report the parent's size.
    """
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith(f"{field}:"))) / 1024


def start_part_worker() -> None:
    """A fresh worker process, as a Huey consumer's process worker: Django set up, WeasyPrint and its fonts loaded."""
    import django

    django.setup()
    from reports.parts import freeze_start_up
    from tracker.pdf import html_to_pdf

    html_to_pdf("<p>预热</p>")
    freeze_start_up()  # as reports.tasks does when a Huey worker comes online


def render_part(html: str) -> tuple[bytes, int, float]:
    """A part's job in a worker: its PDF, the worker's pid and its peak resident memory so far (MB)."""
    from reports.parts import render

    return render(html), os.getpid(), memory_mb("VmHWM")


def merge_parts(pdfs: list[bytes]) -> tuple[bytes, int, float]:
    """The last part's job in a worker: the merge, with the page numbers stamped."""
    from reports.parts import merge

    return merge(pdfs), os.getpid(), memory_mb("VmHWM")
