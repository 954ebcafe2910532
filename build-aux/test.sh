#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds Sesame with warnings as errors, runs every
# test, and ends with the line "N passed, N failed".
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build="${SESAME_BUILD_DIR:-$top/_build}"

"$top/build-aux/install-deps.sh" || exit 1

if [ -f "$build/build.ninja" ]; then
  meson setup --reconfigure "$build" "$top" -Dwerror=true >/dev/null || exit 1
else
  meson setup "$build" "$top" -Dwerror=true || exit 1
fi
meson compile -C "$build" || exit 1

# The tests start their own bus, keyring and identity provider; they never
# touch the person's session.
meson test -C "$build" --print-errorlogs --num-processes 2 "$@"
status=$?

python3 - "$build/meson-logs/testlog.json" <<'PY'
# Counts every subtest of the TAP tests, and every other test as one.
import json, re, sys
passed = failed = 0
with open(sys.argv[1]) as log:
    for line in log:
        test = json.loads(line)
        out = test.get("stdout") or ""
        oks = len(re.findall(r"^ok ", out, re.M))
        not_oks = len(re.findall(r"^not ok ", out, re.M))
        ok = test.get("result") in ("OK", "EXPECTEDFAIL")
        if test.get("result") == "SKIP":
            continue
        if oks + not_oks == 0:
            passed, failed = passed + ok, failed + (not ok)
        else:
            passed += oks
            failed += not_oks + (0 if ok or not_oks else 1)
print(f"{passed} passed, {failed} failed")
PY
exit $status
