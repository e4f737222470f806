#!/usr/bin/env python3
"""Add up the closing lines of the pytest runs of `make test` (var/pytest-*.log).

Prints the stage timings, then one plain line such as ``tests: 612 passed, 0 failed``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

COUNT = re.compile(r"(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|deselected)")


def main(var: Path = Path("var")) -> int:
    totals: dict[str, int] = {}
    for log in sorted(var.glob("pytest-*.log")):
        lines = [line for line in log.read_text(errors="replace").splitlines() if line]
        closing = next((line for line in reversed(lines) if " in " in line), "")
        for number, word in COUNT.findall(closing):
            word = "error" if word.startswith("error") else word
            totals[word] = totals.get(word, 0) + int(number)
    timings = var / "test-timings.txt"
    if timings.exists():
        print("stage timings:")
        print(timings.read_text().rstrip())
    extra = ", ".join(
        f"{totals[k]} {k}" for k in ("skipped", "xfailed", "error") if totals.get(k)
    )
    failed = totals.get("failed", 0) + totals.get("error", 0)
    print(f"tests: {totals.get('passed', 0)} passed, {failed} failed")
    if extra:
        print(f"(also {extra})")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("var")))
