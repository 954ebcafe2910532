#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds Sesame with warnings as errors, runs every
# test, and ends with the line "N passed, N failed".
#   --sanitize   the same with AddressSanitizer, LeakSanitizer and
#                UndefinedBehaviorSanitizer (in _build-sanitize; every test,
#                the broker they start too)
#   --fuzz       the libFuzzer targets, each briefly over its corpus (clang,
#                in _build-fuzz)
#   --headless   the broker and sesamectl without the app (-Dapp=false, in
#                _build-headless), and every test that build has
# SESAME_BUILD_DIR, SESAME_SANITIZE_BUILD_DIR, SESAME_FUZZ_BUILD_DIR and
# SESAME_HEADLESS_BUILD_DIR choose other build folders.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build="${SESAME_BUILD_DIR:-$top/_build}"
options=(-Dwerror=true)
deps_options=()
# The crash-safety test's random kills per phase: 30 in the plain run (90,
# beside the kills at each step of Remove); 10 in the sanitizer run, where
# each is slow, and in the headless run, which repeats the plain one.
crash_rounds=30
if [ "${1:-}" = "--sanitize" ]; then
  shift
  crash_rounds=10
  build="${SESAME_SANITIZE_BUILD_DIR:-$top/_build-sanitize}"
  options+=(-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug)
  # LeakSanitizer too, in every test and every broker they start. Full
  # unwinding, or the suppressions of the libraries' own leaks never match;
  # __tls_get_addr left alone, or LeakSanitizer's thread scan crashes on the
  # TLS of modules GIO loads at run time (GCC 12's runtime, glibc 2.36).
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0:intercept_tls_get_addr=0}
  export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$top/build-aux/lsan-suppressions.txt:print_suppressions=0}
  export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  export G_SLICE=always-malloc
elif [ "${1:-}" = "--fuzz" ]; then
  shift
  build="${SESAME_FUZZ_BUILD_DIR:-$top/_build-fuzz}"
  options+=(-Dfuzzing=true -Db_lundef=false)
  export CC=clang
  set -- --suite fuzz --no-rebuild "$@"
  fuzz=1
elif [ "${1:-}" = "--headless" ]; then
  shift
  build="${SESAME_HEADLESS_BUILD_DIR:-$top/_build-headless}"
  options+=(-Dapp=false)
  deps_options=(--headless)
  crash_rounds=10
fi

export SESAME_CRASH_ROUNDS=${SESAME_CRASH_ROUNDS:-$crash_rounds}

"$top/build-aux/install-deps.sh" "${deps_options[@]}" || exit 1

if [ -f "$build/build.ninja" ]; then
  meson setup --reconfigure "$build" "$top" "${options[@]}" >/dev/null || exit 1
else
  meson setup "$build" "$top" "${options[@]}" || exit 1
fi
if [ -n "${fuzz:-}" ]; then
  # Only what the suite runs: the rest of the tree is checked by the other
  # modes, with the compiler it is written for.
  meson compile -C "$build" $(cd "$top/tests/fuzz/corpus" && printf 'fuzz-%s ' *) || exit 1
else
  meson compile -C "$build" || exit 1
fi

# The tests start their own bus, keyring and identity provider; they never
# touch the person's session.
rm -f "$build/meson-logs/failures.txt"
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
# What failed, briefly, for .ci/run to repeat at its end (CI shows the tail).
python3 - "$build/meson-logs/testlog.json" >"$build/meson-logs/failures.txt" <<'PY'
import json, re, sys
with open(sys.argv[1]) as log:
    for line in log:
        test = json.loads(line)
        if test.get("result") in ("OK", "EXPECTEDFAIL", "SKIP"):
            continue
        out = (test.get("stdout") or "").splitlines()
        print(f"== {test['name']}: {test.get('result')} after {test.get('duration', 0):.0f} s")
        for l in [l for l in out if l.startswith("not ok ")][:10]:
            print("   " + l)
        err = (test.get("stderr") or "").splitlines()
        for l in (out + err)[-30:]:
            print("   | " + l)
PY

exit $status
