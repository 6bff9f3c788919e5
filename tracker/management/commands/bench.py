import argparse
import json as _json

from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from tracker import bench


class Command(BaseCommand):
    help = "Measure pages, exports, the sweep and reports on synthetic data in databases of their own."

    def add_arguments(self, parser):
        parser.add_argument("--quick", action="store_true", help="50 and 100 units instead of 50 and 1,000 (for CI)")
        parser.add_argument("--json", action="store_true", help="print the figures as one JSON object, last line")
        # Internal: the bench runs its memory probes in fresh processes of this command.
        parser.add_argument("--probe", choices=sorted(bench.PROBES), help=argparse.SUPPRESS)
        parser.add_argument("--probe-database", help=argparse.SUPPRESS)
        parser.add_argument("--probe-plan", type=int, help=argparse.SUPPRESS)
        parser.add_argument("--probe-user", type=int, help=argparse.SUPPRESS)

    def handle(self, *args, quick: bool, json: bool, probe: str | None, **options):
        if probe:
            name = options["probe_database"] or ""
            if not bench.is_bench_database(name):  # never the working data
                raise CommandError(f"--probe needs --probe-database naming a benchmark database, not {name!r}")
            connections["default"].settings_dict["NAME"] = name
            figures = bench.probe(probe, options["probe_plan"], options["probe_user"])
            self.stdout.write(_json.dumps(figures))
            return
        figures = bench.run(quick=quick, log=lambda line: self.stderr.write(line))
        misses = bench.check_targets(figures)
        figures["targets_missed"] = misses
        for key, value in figures.items():
            if key != "targets_missed":
                self.stderr.write(f"{key:28} {value}")
        for miss in misses:
            self.stderr.write(f"MISSED: {miss}")
        if json:
            self.stdout.write(_json.dumps(figures, ensure_ascii=False))
        if misses:
            raise SystemExit(1)
