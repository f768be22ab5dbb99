"""Kill rate per module from mutmut's results (`make mutate` prints it).

    python -m tools.mutation_report            # after `mutmut run`

Mutants listed in tests/mutation-equivalents.txt (name, then the reason) are
equivalent to the original code: no test can tell them apart, so they are
counted apart and never as survivors.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter, defaultdict
from pathlib import Path

EQUIVALENTS = Path(__file__).resolve().parent.parent / "tests" / "mutation-equivalents.txt"
# `k8s_course.redact.x_shown_lines__mutmut_8`, `k8s_course.source.xǁDocumentǁlocate__mutmut_1`
_NAME = re.compile(r"^\s*(?P<module>[\w.]+?)\.x[_ǁ]\S*__mutmut_\d+: (?P<status>.+)$")
KILLED = {"killed", "timeout"}


def equivalents(path: Path = EQUIVALENTS) -> dict[str, str]:
    """Mutant name -> why it cannot be killed."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition(" ")
            found[name] = reason.strip()
    return found


def tally(results: str, known: dict[str, str]) -> dict[str, Counter]:
    """Per module: killed, survived, equivalent, and the rest by mutmut's status."""
    table: dict[str, Counter] = defaultdict(Counter)
    for line in results.splitlines():
        match = _NAME.match(line)
        if not match or match["status"] == "not checked":
            continue
        name = line.strip().split(":")[0]
        status = "killed" if match["status"] in KILLED else (
            "equivalent" if name in known else match["status"])
        table[match["module"]][status] += 1
    return table


def stale(results: str, known: dict[str, str]) -> list[str]:
    """Listed equivalents that a test kills, or that no longer exist (a function edited
    since renumbers its mutants): the list needs a look."""
    status = {line.strip().split(":")[0]: line.split(": ", 1)[1].strip()
              for line in results.splitlines() if _NAME.match(line)}
    return sorted(name for name in known
                  if name not in status or status[name] in KILLED)


def main() -> int:
    results = subprocess.run([sys.executable, "-m", "mutmut", "results", "--all", "true"],
                             capture_output=True, text=True, check=False).stdout
    known = equivalents()
    table = tally(results, known)
    print(f"{'module':34} {'killed':>7} {'survived':>9} {'equiv.':>7} {'other':>6} {'rate':>6}")
    for module, counts in sorted(table.items()):
        other = sum(n for s, n in counts.items() if s not in ("killed", "survived", "equivalent"))
        judged = counts["killed"] + counts["survived"] + other
        rate = counts["killed"] / judged if judged else 1.0
        print(f"{module:34} {counts['killed']:7} {counts['survived']:9} "
              f"{counts['equivalent']:7} {other:6} {rate:6.0%}")
    for name in stale(results, known):
        print(f"listed as equivalent, but killed or gone: {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
