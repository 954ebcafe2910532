#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reads the accessibility tree of one application over AT-SPI, as a screen
reader does, and fails on any control a person can reach whose name would
not tell them what it is: empty, a mnemonic underscore ("_Cancel"), said
twice ("Cancel Cancel") or a widget class name ("GtkImage").

Usage: check-accessible-names.py APPLICATION-NAME
Prints one line per bad control (its role, name and path) and a summary;
exits 1 when there is any.
"""
import re
import sys

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

# What a person operates or reads by Tab; containers (panels, scroll panes,
# lists) are named by what they hold and are not checked.
CONTROL_ROLES = {
    "push button", "toggle button", "check box", "radio button", "switch",
    "menu item", "check menu item", "radio menu item", "list item",
    "entry", "text", "password text", "combo box", "spin button", "slider",
    "link", "page tab", "label", "image", "icon",
}
CLASS_NAME = re.compile(r"(Gtk|Adw|WebKit|Sesame)[A-Z]\w*")
MNEMONIC = re.compile(r"(^|\s)_\w")


def problem(name):
    stripped = name.strip()
    if not stripped:
        return "no name"
    if MNEMONIC.search(stripped):
        return "a mnemonic underscore in the name"
    if CLASS_NAME.fullmatch(stripped):
        return "a widget class name"
    words = stripped.split()
    half = len(words) // 2
    if len(words) % 2 == 0 and half > 0 and words[:half] == words[half:]:
        return "the name said twice"
    return None


def on_screen(accessible, states):
    """GTK 4.8 sets SHOWING on hardly anything: a control a person can see
    has an area on screen, one on a page not shown has none."""
    if states.contains(Atspi.StateType.SHOWING):
        return True
    try:
        extents = accessible.get_extents(Atspi.CoordType.WINDOW)
    except gi.repository.GLib.Error:
        return False
    return extents.width > 0 and extents.height > 0


def walk(accessible, path, found):
    try:
        role = accessible.get_role_name()
        name = accessible.get_name() or ""
        states = accessible.get_state_set()
        count = accessible.get_child_count()
    except gi.repository.GLib.Error:
        return  # gone while we read it
    here = f"{path}/{role}"
    # Only hidden widgets hide their children.
    if role != "application" and not states.contains(Atspi.StateType.VISIBLE):
        return
    if (role in CONTROL_ROLES and states.contains(Atspi.StateType.FOCUSABLE)
            and on_screen(accessible, states)):
        found.append((role, name, here, problem(name)))
    for i in range(count):
        try:
            child = accessible.get_child_at_index(i)
        except gi.repository.GLib.Error:
            continue  # gone while we read it (a window closing)
        if child is not None:
            walk(child, here, found)


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    desktop = Atspi.get_desktop(0)
    found = []
    apps = 0
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is not None and app.get_name() == sys.argv[1]:
            apps += 1
            walk(app, "", found)
    if apps == 0:
        print(f"No application named {sys.argv[1]} on the accessibility bus.")
        return 1
    if not found:
        print(f"{sys.argv[1]} shows no control a person can reach.")
        return 1
    bad = [f for f in found if f[3] is not None]
    for role, name, path, why in bad:
        print(f"{role} {name!r}: {why} ({path})")
    print(f"{len(found)} controls read, {len(bad)} badly named: "
          + ", ".join(f"{role} {name!r}" for role, name, _, why in found if why is None))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
