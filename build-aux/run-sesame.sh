#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what is missing, builds Sesame and starts it in a session of its
# own: a private D-Bus session bus, an unlocked gnome-keyring, the bundled
# local test identity provider ("Local Test Provider", offline) and the
# broker. Your own keyring and accounts are not touched.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/_build"

if [ -z "${SESAME_RUN_INSIDE:-}" ]; then
  "$top/build-aux/install-deps.sh"
  [ -f "$build/build.ninja" ] || meson setup "$build" "$top"
  meson compile -C "$build"
  # A bus of its own, so nothing collides with an installed Sesame.
  exec env SESAME_RUN_INSIDE=1 dbus-run-session -- "$0" "$@"
fi

dev="$build/dev-session"
mkdir -p "$dev/data" "$dev/config/sesame/providers" "$dev/run" "$dev/system/sesame"
chmod 700 "$dev/run"
export HOME="$dev" XDG_DATA_HOME="$dev/data" XDG_CONFIG_HOME="$dev/config"
export XDG_RUNTIME_DIR="$dev/run" XDG_DATA_DIRS="$dev/system:/usr/local/share:/usr/share"
export GSETTINGS_SCHEMA_DIR="$build/data"
export PATH="$build/src/cli:$PATH"
ln -sfn "$build/data/providers" "$dev/system/sesame/providers"

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; }
trap cleanup EXIT

printf 'sesame-dev' | gnome-keyring-daemon --foreground --components=secrets --unlock \
  >/dev/null 2>&1 &
pids+=($!)

coproc IDP { exec node "$top/tests/idp/server.mjs" --state "$dev/idp-state.json" 2>"$dev/idp.log"; }
pids+=($IDP_PID)
read -r ready <&"${IDP[0]}"
issuer=$(printf '%s' "$ready" | sed -E 's/.*"issuer":"([^"]+)".*/\1/')

cat > "$dev/config/sesame/providers/local.json" <<JSON
{
  "name": "Local Test Provider",
  "icon-name": "network-server-symbolic",
  "issuer": "$issuer",
  "client-id": "sesame-test",
  "scopes": {
    "openid": "Know who you are",
    "email": "See your e-mail address",
    "profile": "See your name",
    "offline_access": "Stay signed in"
  },
  "default-scopes": ["openid", "email", "offline_access"]
}
JSON

"$build/src/broker/sesame-broker" --replace &
pids+=($!)
gdbus wait --session --timeout 10 dev.sesame.Sesame.Broker

# The app, where there is a display; it is also the broker's agent, which
# shows the provider's sign-in page.
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  "$build/src/app/sesame" &
  pids+=($!)
  cat <<MSG
The Sesame window is open. Add Account → Local Test Provider → Sign In, and
sign in on its page with any login name.

MSG
fi

cat <<MSG
Sesame's broker is running with the local test provider at $issuer
(any login name signs in; the sign-in page is $issuer/auth).

  DBUS_SESSION_BUS_ADDRESS=$DBUS_SESSION_BUS_ADDRESS

sesamectl is on the PATH of the shell below. Add an account offline, also
without a display:
  sesamectl add local --device      # open the address it prints, sign in with any name
  sesamectl list
  sesamectl token ACCOUNT

MSG

if [ -t 0 ]; then
  echo "A shell in this session follows; leave it (exit) to stop Sesame."
  bash -i || true
else
  echo "Stop it with Ctrl+C."
  wait "${pids[-1]}"
fi
