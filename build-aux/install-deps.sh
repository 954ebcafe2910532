#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs what building and testing Sesame needs on Debian 12, and only
# what is missing: Debian packages, then the pinned npm packages of the test
# identity provider (tests/idp/package-lock.json).
#   --headless   not what only the app and its tests need (-Dapp=false)
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)

packages=(
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libglib2.0-bin libsoup-3.0-dev libsecret-1-dev libjson-glib-dev libqrencode-dev
  dbus dbus-daemon gnome-keyring gcr libsecret-tools
  python3 imagemagick zbar-tools bubblewrap git
  libgoa-1.0-dev
  nodejs npm
)
if [ "${1:-}" != "--headless" ]; then
  packages+=(
    libgtk-4-dev libadwaita-1-dev libwebkitgtk-6.0-dev
    desktop-file-utils appstream gtk-update-icon-cache xvfb xauth x11-utils xdotool dunst
    python3-gi gir1.2-atspi-2.0 at-spi2-core
    evolution-data-server
  )
fi

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$package")
done
# npm comes with some Node.js builds (NodeSource's) and is not a package there.
if command -v npm >/dev/null; then
  missing=("${missing[@]/npm/}")
fi
if command -v node >/dev/null; then
  missing=("${missing[@]/nodejs/}")
fi
read -r -a missing <<< "${missing[*]}"

if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing: ${missing[*]}" >&2
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# oidc-provider 9 needs Node.js 20.18 or newer.
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=18)?0:1)' || {
  echo "The test identity provider needs Node.js 20.18 or newer; this machine has $(node --version)." >&2
  exit 1
}

# npm ci again only when the lock file changed since the last install.
idp="$top/tests/idp"
stamp="$idp/node_modules/.sesame-installed-lock.json"
if ! cmp -s "$idp/package-lock.json" "$stamp" 2>/dev/null; then
  echo "Installing the test identity provider's npm packages" >&2
  (cd "$idp" && npm ci --no-audit --no-fund --loglevel=error)
  cp "$idp/package-lock.json" "$stamp"
fi
