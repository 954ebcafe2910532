#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs one fuzz target longer than the test suite does, nicely, keeping what
# it learns in _build-fuzz/fuzz-corpus/TARGET between runs.
#   build-aux/fuzz.sh TARGET [SECONDS] [libFuzzer options…]
# TARGET is a name from tests/fuzz/meson.build (token-response, …); SECONDS
# defaults to 300. A crash, leak or timeout is saved under
# _build-fuzz/tests/fuzz/fuzz-artifacts/; add it to tests/fuzz/corpus/TARGET
# once fixed.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build="${SESAME_FUZZ_BUILD_DIR:-$top/_build-fuzz}"
if [ $# -lt 1 ]; then
  echo "usage: $0 TARGET [SECONDS] [libFuzzer options…]" >&2
  ls "$top/tests/fuzz/corpus" >&2
  exit 2
fi
target=$1 seconds=${2:-300}
shift $(( $# >= 2 ? 2 : 1 ))
[ -d "$top/tests/fuzz/corpus/$target" ] || { echo "No fuzz target “$target”." >&2; exit 2; }

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" "$top" -Dfuzzing=true -Db_lundef=false >/dev/null
fi
meson compile -C "$build" "fuzz-$target" >/dev/null

corpus="$build/fuzz-corpus/$target"
mkdir -p "$corpus"
# The working corpus comes first: libFuzzer writes new inputs there, never
# into the seeds in the tree.
exec nice "$top/tests/fuzz/run-fuzz-target.sh" "$build/tests/fuzz/fuzz-$target" \
  "$top/tests/fuzz/corpus/$target" "$seconds" -max_len=65536 "$@" "$corpus"
