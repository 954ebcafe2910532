#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs one fuzz target for SECONDS over its seed corpus, with new inputs kept
# in a temporary corpus (the seeds in the tree are never written), and
# crashes, leaks and timeouts saved under fuzz-artifacts/ in the build folder.
#   run-fuzz-target.sh EXE SEED_DIR SECONDS [libFuzzer options…]
set -euo pipefail
exe=$1 seeds=$2 seconds=$3
shift 3
name=$(basename "$exe")
artifacts="$(dirname "$exe")/fuzz-artifacts"
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Leaks count as findings; GLib's slice allocator would hide them.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export G_SLICE=always-malloc
export G_DEBUG=gc-friendly

# libFuzzer's own exit code for a finding, 77, means "skipped" to meson.
exec "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -error_exitcode=1 -timeout_exitcode=1 \
  -artifact_prefix="$artifacts/$name-" -print_final_stats=1 "$@" "$work" "$seeds"
