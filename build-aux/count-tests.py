#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Counts test cases from meson's testlog.json.

Each GTest program reports its cases as TAP lines in its stdout; those are
counted one by one. A program that failed without a failing case of its own
(a crash, a timeout, a setup error) counts as one more failure. Prints one
line "N passed, N failed, N skipped" and exits non-zero when anything failed
or nothing ran.
"""

import json
import re
import sys

TAP = re.compile(r"^(not ok|ok)\b[^#]*(#\s*(\w+))?", re.IGNORECASE)
GOOD = {"OK", "SKIP", "EXPECTEDFAIL"}


def main(path):
    passed = failed = skipped = 0
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as error:
        print(f"cannot read {path}: {error}", file=sys.stderr)
        print("0 passed, 1 failed")
        return 1

    for line in lines:
        if not line.strip():
            continue
        try:
            test = json.loads(line)
        except json.JSONDecodeError:
            print(f"FAILED: an unreadable line in {path}", file=sys.stderr)
            failed += 1
            continue
        p = f = s = 0
        for out in (test.get("stdout") or "").splitlines():
            m = TAP.match(out.strip())
            if not m:
                continue
            directive = (m.group(3) or "").upper()
            if directive == "SKIP":
                s += 1
            elif m.group(1).lower() == "ok":
                p += 1
            elif directive == "TODO":
                s += 1
            else:
                f += 1
        result = test.get("result")
        if p + f + s == 0:
            if result == "SKIP":
                s = 1
            elif result in GOOD:
                p = 1
            else:
                f = 1
        elif result not in GOOD and f == 0:
            f = 1
        if f:
            print(f"FAILED: {test.get('name')} ({result})", file=sys.stderr)
        passed += p
        failed += f
        skipped += s

    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
