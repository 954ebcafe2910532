#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs Sesame into a temporary prefix and shows that every file of the
# desktop integration is installed and valid, that D-Bus activation of
# dev.sesame.Sesame.Broker starts the installed broker, which serves the
# installed providers, that the installed sesamectl talks to it, and (once
# the app is built) that D-Bus activation of dev.sesame.Sesame starts the
# installed app, whose window opens on an Xvfb. With -Dapp=false (a headless
# build), that none of the app's files is installed.
#   test-install.sh SOURCE_DIR [-Dapp=true|false]
set -uo pipefail
source_dir=$1
app_option=${2:--Dapp=true}
work=$(mktemp -d)
bus_pid=
xvfb_pid=
app_pid=
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
  [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
  pkill -f "$work/prefix/libexec/sesame-broker" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
echo "1..9"

ok() { echo "ok $1 - $2"; }
not_ok() { echo "not ok $1 - $2"; exit 1; }
prefix=$work/prefix

if meson setup "$work/build" "$source_dir" --prefix="$prefix" "$app_option" >"$work/setup.log" 2>&1 &&
   meson install -C "$work/build" >"$work/install.log" 2>&1; then
  ok 1 "meson install into a temporary prefix"
else
  cat "$work/setup.log" "$work/install.log" >&2
  not_ok 1 "meson install into a temporary prefix"
fi

icons=share/icons/hicolor
app_files=(bin/sesame share/applications/dev.sesame.Sesame.desktop share/metainfo/dev.sesame.Sesame.metainfo.xml
           share/dbus-1/services/dev.sesame.Sesame.service share/man/man1/sesame.1
           $icons/scalable/apps/dev.sesame.Sesame.svg $icons/symbolic/apps/dev.sesame.Sesame-symbolic.svg
           $icons/symbolic/apps/sesame-google-symbolic.svg $icons/symbolic/apps/sesame-microsoft-symbolic.svg
           $icons/symbolic/apps/sesame-github-symbolic.svg $icons/symbolic/apps/sesame-gitlab-symbolic.svg
           $icons/symbolic/apps/sesame-openid-symbolic.svg)
for file in libexec/sesame-broker bin/sesamectl share/dbus-1/services/dev.sesame.Sesame.Broker.service \
            share/dbus-1/interfaces/dev.sesame.Broker1.xml share/glib-2.0/schemas/dev.sesame.Sesame.gschema.xml \
            share/sesame/providers/google.json share/man/man1/sesamectl.1 \
            share/bash-completion/completions/sesamectl lib/systemd/user/sesame-broker.service; do
  [ -e "$prefix/$file" ] || not_ok 2 "installed $file"
done
headless=
[ "$app_option" = "-Dapp=false" ] && headless=1
if [ -n "$headless" ]; then
  # Nothing of the app, not even an empty folder of its own.
  for file in "${app_files[@]}" share/applications share/metainfo share/icons; do
    [ -e "$prefix/$file" ] && not_ok 2 "a headless build does not install $file"
  done
  ok 2 "every file of the broker and sesamectl is installed, none of the app's"
else
  for file in "${app_files[@]}"; do
    [ -e "$prefix/$file" ] || not_ok 2 "installed $file"
  done
  ok 2 "every file is installed"
fi

# GNOME Online Accounts' name is Sesame's only where the packager asks (-Dgoa-service).
[ -e "$prefix/share/dbus-1/services/org.gnome.OnlineAccounts.service" ] &&
  not_ok 3 "no service file for org.gnome.OnlineAccounts unless -Dgoa-service=true"
grep -qx "Exec=$prefix/libexec/sesame-broker" "$prefix/share/dbus-1/services/dev.sesame.Sesame.Broker.service" ||
  not_ok 3 "the broker's D-Bus service runs the installed broker"
if [ -n "$headless" ]; then
  ok 3 "the broker's D-Bus service file points at the installed broker"
else
  # The installed desktop integration: valid, and pointing at what is installed.
  desktop=$prefix/share/applications/dev.sesame.Sesame.desktop
  desktop-file-validate "$desktop" >&2 || not_ok 3 "the installed desktop file is valid"
  appstreamcli validate --no-net "$prefix/share/metainfo/dev.sesame.Sesame.metainfo.xml" >&2 ||
    not_ok 3 "the installed metainfo is valid"
  grep -qx 'DBusActivatable=true' "$desktop" || not_ok 3 "the desktop file is DBusActivatable"
  grep -qx "Exec=$prefix/bin/sesame --gapplication-service" "$prefix/share/dbus-1/services/dev.sesame.Sesame.service" ||
    not_ok 3 "the app's D-Bus service runs the installed sesame"
  man --warnings -l "$prefix/share/man/man1/sesame.1" 2>&1 >/dev/null | grep . >&2 && not_ok 3 "sesame.1 formats without warnings"
  for icon in $(sed -n 's/^Icon=//p' "$desktop") $(sed -n 's/.*"icon-name": "\(.*\)".*/\1/p' "$prefix"/share/sesame/providers/*.json); do
    ls "$prefix/$icons"/*/apps/"$icon".svg >/dev/null 2>&1 || not_ok 3 "the icon $icon is installed"
  done
  [ -e "$prefix/$icons/icon-theme.cache" ] || not_ok 3 "the icon cache is updated after install"
  ok 3 "the installed desktop file, metainfo, service files, man page and icons are valid and agree"
fi

# The environment of everything the bus starts: a session of our own.
mkdir -p "$work/home" "$work/run"
export HOME=$work/home XDG_RUNTIME_DIR=$work/run
export XDG_DATA_HOME=$work/home/data XDG_CONFIG_HOME=$work/home/config XDG_CACHE_HOME=$work/home/cache
export XDG_DATA_DIRS=$prefix/share:/usr/share
export GSETTINGS_BACKEND=memory GSK_RENDERER=cairo GTK_A11Y=none NO_AT_BRIDGE=1
unset DISPLAY WAYLAND_DISPLAY

# An X server for the app, when there is an app to start.
if [ -x "$prefix/bin/sesame" ]; then
  exec 4< <(Xvfb -displayfd 5 -nolisten tcp -screen 0 1280x800x24 5>&1 2>"$work/xvfb.log" & echo "$!")
  read -r xvfb_pid <&4
  read -r -t 30 display <&4 || { cat "$work/xvfb.log" >&2; not_ok 7 "Xvfb starts"; }
  export DISPLAY=:$display
fi

# A session bus that knows only the installed services.
cat > "$work/bus.conf" <<CONF
<busconfig><type>session</type><listen>unix:tmpdir=$work</listen>
<servicedir>$prefix/share/dbus-1/services</servicedir>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
CONF
exec 3< <(dbus-daemon --nofork --print-address=1 --print-pid=1 --config-file "$work/bus.conf" 2>/dev/null)
read -r address <&3
read -r bus_pid <&3
export DBUS_SESSION_BUS_ADDRESS=$address

providers=$(gdbus call --session --dest dev.sesame.Sesame.Broker --object-path /dev/sesame/Broker \
                       --method dev.sesame.Broker1.ListProviders 2>&1)
case "$providers" in
  *"'id': <'github'>"*"'id': <'google'>"*|*"'id': <'google'>"*"'id': <'github'>"*)
    ok 4 "calling the broker's name activates the installed broker, with the installed providers" ;;
  *) echo "# $providers" >&2; not_ok 4 "calling the broker's name activates the installed broker" ;;
esac
pgrep -f "$work/prefix/libexec/sesame-broker" >/dev/null || not_ok 4 "the installed broker runs"
case "$providers" in
  *"'icon-name': <'sesame-github-symbolic'>"*) ok 5 "the broker hands out the installed providers' icon names" ;;
  *) echo "# $providers" >&2; not_ok 5 "the broker hands out the installed providers' icon names" ;;
esac

if "$prefix/bin/sesamectl" list --json | grep -q '^\[\]$'; then
  ok 6 "the installed sesamectl reaches the installed broker"
else
  not_ok 6 "the installed sesamectl reaches the installed broker"
fi

# The app: D-Bus activation, as a desktop does it for DBusActivatable=true.
if [ ! -x "$prefix/bin/sesame" ]; then
  for n in 7 8 9; do echo "ok $n - the installed app starts by D-Bus activation # SKIP built with -Dapp=false"; done
  exit 0
fi
owner() {
  local pid
  pid=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
                   --method org.freedesktop.DBus.GetConnectionUnixProcessID "$1" 2>/dev/null |
        sed -n 's/^(uint32 \([0-9]*\),)$/\1/p')
  [ -n "$pid" ] && echo "$pid $(readlink "/proc/$pid/exe")"
}
app_windows() {
  local id
  for id in $(xwininfo -root -children 2>/dev/null | sed -n 's/^ *\(0x[0-9a-f]*\) .*/\1/p'); do
    xprop -id "$id" _NET_WM_PID 2>/dev/null | grep -q " = $app_pid\$" &&
      xwininfo -id "$id" 2>/dev/null | grep -q 'Map State: IsViewable' && echo "$id"
  done
}

reply=$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
                   --method org.freedesktop.DBus.StartServiceByName dev.sesame.Sesame 0 2>&1)
[ "$reply" = "(uint32 1,)" ] || { echo "# $reply" >&2; not_ok 7 "StartServiceByName dev.sesame.Sesame"; }
read -r app_pid executable < <(owner dev.sesame.Sesame)
[ "${executable:-}" = "$prefix/bin/sesame" ] ||
  not_ok 7 "dev.sesame.Sesame is owned by the installed sesame (it is ${executable:-nobody})"
ok 7 "StartServiceByName dev.sesame.Sesame starts the installed app"

# Activate, as the shell does when the launcher is clicked: a window opens on the X server.
reply=$(gdbus call --session --dest dev.sesame.Sesame --object-path /dev/sesame/Sesame \
                   --method org.freedesktop.Application.Activate '{}' 2>&1)
[ "$reply" = "()" ] || { echo "# $reply" >&2; not_ok 8 "org.freedesktop.Application.Activate answers"; }
windows=
for _ in $(seq 100); do
  windows=$(app_windows)
  [ -n "$windows" ] && break
  sleep 0.2
done
kill -0 "$app_pid" 2>/dev/null || not_ok 8 "the app still runs after Activate"
[ -n "$windows" ] || not_ok 8 "Activate opens a window of the app on the X server"
ok 8 "org.freedesktop.Application.Activate opens the app's window"

# Starting it again reaches the same instance.
reply=$(gdbus call --session --dest dev.sesame.Sesame --object-path /dev/sesame/Sesame \
                   --method org.freedesktop.Application.Activate '{}' 2>&1)
read -r second_pid _ < <(owner dev.sesame.Sesame)
{ [ "$reply" = "()" ] && [ "${second_pid:-}" = "$app_pid" ]; } || not_ok 9 "a second Activate reaches the same instance"
ok 9 "a second Activate reaches the same instance"
