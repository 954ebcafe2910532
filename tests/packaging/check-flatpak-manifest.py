#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks the Flatpak manifest against the tree: its id, runtime, command, the modules the build needs and its permissions.
import json
import pathlib
import re
import sys

APP_ID = "dev.sesame.Sesame"
RUNTIME = "org.gnome.Platform"
SDK = "org.gnome.Sdk"
RUNTIME_VERSION = "49"

# pkg-config names the GNOME 49 runtime (and its SDK) provides; a dependency
# of the build that is not here must be built by a module of the manifest.
IN_RUNTIME = {
    "glib-2.0", "gio-2.0", "gio-unix-2.0", "gobject-2.0", "gmodule-2.0", "gthread-2.0",
    "gtk4", "libadwaita-1", "webkitgtk-6.0", "javascriptcoregtk-6.0",
    "libsoup-3.0", "libsecret-1", "json-glib-1.0", "gsettings-desktop-schemas",
    "libportal", "libportal-gtk4", "libxml-2.0", "gnutls", "cairo", "pango",
    "gdk-pixbuf-2.0", "graphene-gobject-1.0", "sqlite3", "zlib",
    # meson's own, not pkg-config packages
    "threads", "dl",
}

# Why each one is needed: README.md, Flatpak.
FINISH_ARGS = [
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
    "--talk-name=org.freedesktop.secrets",
]

top = pathlib.Path(sys.argv[1])
results = []


def check(ok, what, why=""):
    results.append((ok, what, why))


def meson_dependencies():
    """Every dependency('name', …) of the build that is not required: false."""
    found = {}
    for path in sorted(top.rglob("meson.build")):
        parts = path.relative_to(top).parts
        if any(p.startswith(("_build", ".")) or p in ("node_modules", "subprojects") for p in parts):
            continue
        text = re.sub(r"#.*", "", path.read_text())
        for call in re.finditer(r"\bdependency\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)", text):
            args = call.group(1)
            name = re.match(r"\s*'([^']+)'", args)
            if name is None or re.search(r"required\s*:\s*false", args):
                continue
            found.setdefault(name.group(1), str(path.relative_to(top)))
    return found


try:
    manifest = json.loads((top / f"{APP_ID}.json").read_text())
except (OSError, ValueError) as error:
    print("1..1")
    print(f"not ok 1 - the manifest {APP_ID}.json is JSON: {error}")
    sys.exit(1)

app_id = manifest.get("id", manifest.get("app-id"))
check(app_id == APP_ID, f"the app id is {APP_ID}", f"it is {app_id!r}")
check((manifest.get("runtime"), manifest.get("sdk"), manifest.get("runtime-version")) ==
      (RUNTIME, SDK, RUNTIME_VERSION),
      f"runtime {RUNTIME}, sdk {SDK}, version {RUNTIME_VERSION}",
      f"they are {manifest.get('runtime')!r}, {manifest.get('sdk')!r}, {manifest.get('runtime-version')!r}")

desktop = (top / "data" / f"{APP_ID}.desktop.in").read_text()
exec_line = re.search(r"^Exec=(\S+)", desktop, re.M)
check(manifest.get("command") == "sesame" and exec_line is not None and exec_line.group(1) == "sesame",
      "the command is sesame, as the desktop file's Exec",
      f"command {manifest.get('command')!r}, Exec {exec_line.group(1) if exec_line else None!r}")

modules = [m for m in manifest.get("modules", []) if isinstance(m, dict)]
sesame = [m for m in modules if m.get("name") == "sesame"]
check(len(sesame) == 1 and sesame[0].get("buildsystem") == "meson" and
      {"type": "dir", "path": "."} in sesame[0].get("sources", []),
      "one module sesame, built with meson from this folder")
check(bool(modules) and modules[-1].get("name") == "sesame", "the sesame module is built last")

module_names = {m.get("name") for m in modules}
missing = [f"{name} (in {where})" for name, where in meson_dependencies().items()
           if name not in IN_RUNTIME and name not in module_names
           and re.sub(r"-[0-9.]+$", "", name) not in module_names]
check(not missing, "every dependency of the build is in the runtime or a module",
      "missing: " + ", ".join(missing))

finish_args = manifest.get("finish-args", [])
check(sorted(finish_args) == sorted(FINISH_ARGS), "the finish-args are exactly the ones needed",
      f"missing {sorted(set(FINISH_ARGS) - set(finish_args))}, "
      f"not needed {sorted(set(finish_args) - set(FINISH_ARGS))}")

# Flatpak lets an app own its id and every name below it; the broker's name
# must be one of those, so that no --own-name is needed (Flathub refuses one).
broker = re.search(r"^Name=(\S+)", (top / "data" / f"{APP_ID}.Broker.service.in").read_text(), re.M)
check(broker is not None and broker.group(1).startswith(APP_ID + "."),
      "the broker's bus name lies below the app id, so the sandbox may own it",
      f"it is {broker.group(1) if broker else None!r}")

print(f"1..{len(results)}")
for number, (ok, what, why) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {number} - {what}")
    if not ok and why:
        print(f"# {why}")
sys.exit(0 if all(ok for ok, _, _ in results) else 1)
