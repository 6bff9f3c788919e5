"""The demo plan (seed 004's text, shipped in the project): every importer test reads it from here."""

from pathlib import Path

DEMO_PLAN = Path(__file__).resolve().parents[2] / "plans" / "demo" / "plan.txt"
