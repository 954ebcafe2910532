#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Screenshots the installed app in one language and shows that its own translations are loaded.
#   screenshot-locale.sh LANG OUT.png [BUILD_DIR]
# Installs BUILD_DIR (default $SESAME_BUILD_DIR, else _build-i18n) with --destdir and runs it in a
# bubblewrap sandbox where that copy sits at the configured prefix, so the app finds its .mo files,
# schema and the broker's D-Bus service as if installed. On an Xvfb with a private session bus
# (which activates the installed broker) it opens the main window in LANG, saves the screen to
# OUT.png, then opens "Add Account" (Ctrl+N) and checks that its window title is the LANG
# translation, and that the broker describes the installed providers' scopes in LANG. TAP
# output; skips when it cannot run here.
set -uo pipefail

lang=${1:?usage: screenshot-locale.sh LANG OUT.png [BUILD_DIR]}
out=${2:?usage: screenshot-locale.sh LANG OUT.png [BUILD_DIR]}
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${3:-${SESAME_BUILD_DIR:-$top/_build-i18n}}
case "$out" in /*) ;; *) out=$PWD/$out ;; esac

if [ -z "${SESAME_SCREENSHOT_SANDBOXED:-}" ]; then
  skip() { echo "1..0 # SKIP $1"; exit 0; }
  for tool in bwrap Xvfb xdotool import dbus-daemon gettext meson; do
    command -v "$tool" >/dev/null || skip "$tool is not installed"
  done
  prefix=$(meson introspect --buildoptions "$build" 2>/dev/null |
           python3 -c 'import json,sys; print(next(o["value"] for o in json.load(sys.stdin) if o["name"] == "prefix"))')
  case "$prefix" in
    ""|/|/usr) skip "the build's prefix (${prefix:-none}) cannot be replaced in a sandbox" ;;
  esac
  [ -x "$build/src/app/sesame" ] || skip "the app is not built in $build"
  echo "1..4"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  dest=$work/dest
  if ! meson install -C "$build" --no-rebuild --destdir "$dest" >"$work/install.log" 2>&1; then
    cat "$work/install.log" >&2
    echo "not ok 1 - meson install --destdir"; exit 1
  fi
  # meson skips the post-install steps under DESTDIR.
  glib-compile-schemas "$dest$prefix/share/glib-2.0/schemas" || { echo "not ok 1 - compile the schema"; exit 1; }
  [ -e "$dest$prefix/share/locale/$lang/LC_MESSAGES/sesame.mo" ] ||
    { echo "not ok 1 - $lang is installed (no share/locale/$lang/LC_MESSAGES/sesame.mo: is it in po/LINGUAS?)"; exit 1; }
  echo "ok 1 - installed, with the $lang translation"
  # A PID namespace: whatever the run leaves behind ends with it.
  SESAME_SCREENSHOT_SANDBOXED=1 SESAME_PREFIX=$prefix SESAME_WORK=$work \
    timeout -k 5 45 bwrap --dev-bind / / --proc /proc --bind "$dest$prefix" "$prefix" \
                          --unshare-pid --die-with-parent -- "$0" "$lang" "$out" "$build"
  status=$?
  [ $status -eq 124 ] && echo "not ok 2 - the run ended within 45 s"
  exit $status
fi

# In the sandbox: $SESAME_PREFIX holds this build's installed copy.
prefix=$SESAME_PREFIX
work=$SESAME_WORK
mkdir -p "$work/home" "$work/run"
export HOME=$work/home XDG_RUNTIME_DIR=$work/run
export XDG_DATA_HOME=$work/home/data XDG_CONFIG_HOME=$work/home/config XDG_CACHE_HOME=$work/home/cache
export XDG_DATA_DIRS=$prefix/share:/usr/share
export GSETTINGS_BACKEND=memory GSK_RENDERER=cairo GDK_BACKEND=x11 GTK_A11Y=none NO_AT_BRIDGE=1
export GTK_IM_MODULE=gtk-im-context-simple
# No generated locales are needed: gettext follows LANGUAGE when the locale is C.UTF-8.
export LANG=C.UTF-8 LC_ALL= LANGUAGE=$lang
unset DISPLAY WAYLAND_DISPLAY

fail() { echo "not ok $1 - $2"; exit 1; }

exec 4< <(Xvfb -displayfd 5 -nolisten tcp -screen 0 1024x700x24 5>&1 2>"$work/xvfb.log" & echo "$!")
read -r _ <&4
read -r -t 15 display <&4 || { cat "$work/xvfb.log" >&2; fail 2 "Xvfb starts"; }
export DISPLAY=:$display

# A session bus that knows only the installed services: the broker starts on demand.
cat > "$work/bus.conf" <<CONF
<busconfig><type>session</type><listen>unix:tmpdir=$work</listen>
<servicedir>$prefix/share/dbus-1/services</servicedir>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
CONF
exec 3< <(dbus-daemon --nofork --print-address=1 --config-file "$work/bus.conf" 2>/dev/null)
read -r -t 15 address <&3 || fail 2 "the private session bus starts"
export DBUS_SESSION_BUS_ADDRESS=$address

translated() { LC_ALL=C.UTF-8 LANGUAGE=$lang TEXTDOMAINDIR=$prefix/share/locale gettext -d sesame "$1"; }
title=$(translated "Sesame")
"$prefix/bin/sesame" >"$work/app.log" 2>&1 &
app_pid=$!
window=$(timeout 30 xdotool search --sync --onlyvisible --name "^$title\$" 2>/dev/null | head -n 1)
[ -n "$window" ] || { cat "$work/app.log" >&2; fail 2 "the main window \"$title\" opens"; }
# Wait for the broker's answer: the window settles on the list or the empty state.
sleep 4
kill -0 "$app_pid" 2>/dev/null || { cat "$work/app.log" >&2; fail 2 "the app still runs"; }
import -window "$window" "$out" || fail 2 "a screenshot is saved to $out"
echo "ok 2 - the main window \"$title\" opened; screenshot in $out"

# The app's own strings are in LANG: the Add Account window has the translated title.
expected=$(translated "Add Account")
[ "$lang" = en ] || [ "$expected" != "Add Account" ] || fail 3 "po/$lang.po translates \"Add Account\""
xdotool windowactivate --sync "$window" 2>/dev/null || xdotool windowfocus --sync "$window"
xdotool key --clearmodifiers ctrl+n
if timeout 15 xdotool search --sync --onlyvisible --name "^$expected\$" >/dev/null 2>&1; then
  echo "ok 3 - the app speaks $lang: Ctrl+N opens \"$expected\""
else
  cat "$work/app.log" >&2
  fail 3 "the app speaks $lang: Ctrl+N opens \"$expected\""
fi

# The broker speaks LANG too: the installed providers' scope descriptions.
gmail="Read, compose, send and permanently delete all your email in Gmail"
expected=$(translated "$gmail")
[ "$lang" = en ] || [ "$expected" != "$gmail" ] || fail 4 "po/$lang.po translates \"$gmail\""
providers=$(gdbus call --session --dest dev.sesame.Sesame.Broker --object-path /dev/sesame/Broker \
                       --method dev.sesame.Broker1.ListProviders 2>&1)
case "$providers" in
  *"$expected"*) echo "ok 4 - the broker speaks $lang: Google's Gmail scope reads \"$expected\"" ;;
  *) echo "$providers" | head -c 2000 >&2; fail 4 "the broker speaks $lang: \"$expected\"" ;;
esac
kill "$app_pid" 2>/dev/null
exit 0
