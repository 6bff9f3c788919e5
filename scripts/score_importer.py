"""Score the importer against documents whose expected results were written by hand.

    .venv/bin/python scripts/score_importer.py DIR

DIR holds the documents and expected.json: {file: {"issuer": …, "tasks": [{"find": a fragment of the
task's text, "leads": […], "units": […], "deadline": "ongoing" | "recurring" | "YYYY-MM-DD" (optional)}]}}.
Prints, per document and overall: tasks found, lead exact, units recall and precision, deadlines (of the
tasks whose expected deadline is given) and issuer; the overall score is the mean of the first five.
"""

import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from plans.importer import PlanImportError, parse_file  # noqa: E402

BRACKETS = str.maketrans("()：:", "（）：：")
FIGURES = ("found", "lead", "recall", "precision", "deadline")


def norm(name: str) -> str:
    return re.sub(r"\s", "", name).translate(BRACKETS)


def matching(plan: dict, fragment: str) -> dict | None:
    fragment = norm(fragment)
    for task in plan["tasks"]:
        texts = [task["title"]] + [m["text"] for m in task["measures"]]
        if any(fragment in norm(t) for t in texts):
            return task
    return None


def deadline_met(task: dict, expected: str) -> bool:
    for m in task["measures"]:
        if expected == "ongoing" and m["ongoing"] or expected == "recurring" and m["recurrence"]:
            return True
        if m["due"] == expected:
            return True
    return False


def score(path: Path, expected: dict) -> dict:
    counts = dict.fromkeys(("tasks", "found", "lead", "hits", "expected_units", "read_units", "deadlines", "deadline"), 0)
    try:
        plan = parse_file(path)
    except PlanImportError as error:
        plan = {"tasks": [], "issuer": "", "error": str(error)}
    for want in expected["tasks"]:
        counts["tasks"] += 1
        counts["expected_units"] += len(want["units"])
        if "deadline" in want:
            counts["deadlines"] += 1
        task = matching(plan, want["find"])
        if task is None:
            continue
        counts["found"] += 1
        counts["lead"] += sorted(map(norm, task["lead_units"])) == sorted(map(norm, want["leads"]))
        read = {norm(u) for u in task["units"]}
        counts["hits"] += len(read & {norm(u) for u in want["units"]})
        counts["read_units"] += len(read)
        if "deadline" in want:
            counts["deadline"] += deadline_met(task, want["deadline"])
    counts["issuer"] = norm(plan.get("issuer") or "") == norm(expected.get("issuer", ""))
    counts["read_tasks"] = len(plan["tasks"])
    return counts


def figures(c: dict) -> dict:
    return {
        "found": c["found"] / c["tasks"] if c["tasks"] else 1.0,
        "lead": c["lead"] / c["tasks"] if c["tasks"] else 1.0,
        "recall": c["hits"] / c["expected_units"] if c["expected_units"] else 1.0,
        "precision": c["hits"] / c["read_units"] if c["read_units"] else (1.0 if not c["expected_units"] else 0.0),
        "deadline": c["deadline"] / c["deadlines"] if c["deadlines"] else 1.0,
    }


def main(folder: str) -> None:
    root = Path(folder)
    expected = json.loads((root / "expected.json").read_text("utf-8"))
    total: dict = {}
    print(f"{'document':28} tasks read found  lead recall prec. deadl. issuer score")
    for name, want in expected.items():
        c = score(root / name, want)
        for k, v in c.items():
            total[k] = total.get(k, 0) + v
        print(row(name, c, f"{'yes' if c['issuer'] else 'no':>6}"))
    print(row("overall", total, f"{total['issuer']:3}/{len(expected)}"))


def row(name: str, c: dict, issuer: str) -> str:
    """One line of the table: the counts, the figures, the issuer column as given, and their mean."""
    f = figures(c)
    mean = sum(f[k] for k in FIGURES) / len(FIGURES)
    return (f"{name:28} {c['tasks']:5} {c['read_tasks']:4} " + " ".join(f"{f[k]:5.0%}" for k in FIGURES)
            + f" {issuer} {mean:5.0%}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
