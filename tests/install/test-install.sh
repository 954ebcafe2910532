#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs Sesame into a temporary prefix and shows that D-Bus activation of
# dev.sesame.Sesame.Broker starts the installed broker, which serves the
# installed providers, and that the installed sesamectl talks to it.
set -uo pipefail
source_dir=$1
work=$(mktemp -d)
bus_pid=
cleanup() {
  [ -n "$bus_pid" ] && kill "$bus_pid" 2>/dev/null
  pkill -f "$work/prefix/libexec/sesame-broker" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
echo "1..4"

ok() { echo "ok $1 - $2"; }
not_ok() { echo "not ok $1 - $2"; exit 1; }

if meson setup "$work/build" "$source_dir" --prefix="$work/prefix" >"$work/setup.log" 2>&1 &&
   meson install -C "$work/build" >"$work/install.log" 2>&1; then
  ok 1 "meson install into a temporary prefix"
else
  cat "$work/setup.log" "$work/install.log" >&2
  not_ok 1 "meson install into a temporary prefix"
fi

for file in libexec/sesame-broker bin/sesamectl share/dbus-1/services/dev.sesame.Sesame.Broker.service \
            share/dbus-1/interfaces/dev.sesame.Broker1.xml share/glib-2.0/schemas/dev.sesame.Sesame.gschema.xml \
            share/sesame/providers/google.json share/man/man1/sesamectl.1 \
            share/bash-completion/completions/sesamectl lib/systemd/user/sesame-broker.service; do
  [ -e "$work/prefix/$file" ] || not_ok 2 "installed $file"
done
ok 2 "every file is installed"

# A session bus that knows only the installed services.
mkdir -p "$work/home" "$work/run"
cat > "$work/bus.conf" <<CONF
<busconfig><type>session</type><listen>unix:tmpdir=$work</listen>
<servicedir>$work/prefix/share/dbus-1/services</servicedir>
<policy context="default"><allow send_destination="*" eavesdrop="true"/><allow eavesdrop="true"/><allow own="*"/></policy>
</busconfig>
CONF
exec 3< <(dbus-daemon --nofork --print-address=1 --print-pid=1 --config-file "$work/bus.conf" 2>/dev/null)
read -r address <&3
read -r bus_pid <&3
export DBUS_SESSION_BUS_ADDRESS=$address HOME=$work/home XDG_RUNTIME_DIR=$work/run
export XDG_DATA_HOME=$work/home/data XDG_CONFIG_HOME=$work/home/config XDG_DATA_DIRS=/usr/share
export GSETTINGS_BACKEND=memory
unset DISPLAY WAYLAND_DISPLAY

providers=$(gdbus call --session --dest dev.sesame.Sesame.Broker --object-path /dev/sesame/Broker \
                       --method dev.sesame.Broker1.ListProviders 2>&1)
case "$providers" in
  *"'id': <'github'>"*"'id': <'google'>"*|*"'id': <'google'>"*"'id': <'github'>"*)
    ok 3 "calling the broker's name activates the installed broker, with the installed providers" ;;
  *) echo "# $providers" >&2; not_ok 3 "calling the broker's name activates the installed broker" ;;
esac
pgrep -f "$work/prefix/libexec/sesame-broker" >/dev/null || not_ok 3 "the installed broker runs"

if "$work/prefix/bin/sesamectl" list --json | grep -q '^\[\]$'; then
  ok 4 "the installed sesamectl reaches the installed broker"
else
  not_ok 4 "the installed sesamectl reaches the installed broker"
fi
