#!/usr/bin/env python3
# scripts/count-tests.py: count the results in one meson testlog.json.
#
#   scripts/count-tests.py BUILDDIR/meson-logs/testlog.json
#
# Prints "PASSED FAILED SKIPPED". Each TAP line `ok N`/`not ok N` is one
# test (a `# SKIP` directive makes it skipped, `# TODO` on a `not ok` makes
# it skipped rather than failed); a test without TAP lines counts once, by
# its result. A test meson judged failed counts at least one failure even if
# its TAP lines were all ok (a crash after the last line, a short plan).
# Used by scripts/check and scripts/cross-check.
import json
import re
import sys

TAP = re.compile(r"^(not )?ok(?:\s|$)")
SKIP = re.compile(r"#\s*skip\b", re.IGNORECASE)
TODO = re.compile(r"#\s*todo\b", re.IGNORECASE)
GOOD = {"OK", "EXPECTEDFAIL"}


def count(path):
    passed = failed = skipped = 0
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            line = line.strip()
            if not line:
                continue
            test = json.loads(line)
            result = test.get("result", "ERROR")
            p = f = s = 0
            for out in (test.get("stdout") or "").splitlines():
                m = TAP.match(out)
                if not m:
                    continue
                if SKIP.search(out):
                    s += 1
                elif m.group(1) and TODO.search(out):
                    s += 1
                elif m.group(1):
                    f += 1
                else:
                    p += 1
            if p + f + s == 0:
                if result in GOOD:
                    p = 1
                elif result == "SKIP":
                    s = 1
                else:
                    f = 1
            elif result not in GOOD and result != "SKIP" and f == 0:
                f = 1
            passed += p
            failed += f
            skipped += s
    return passed, failed, skipped


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: count-tests.py TESTLOG.json")
    print(*count(sys.argv[1]))
