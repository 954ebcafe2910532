#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks that po/POTFILES.in names every file with strings for people and only files that exist, and that po/LINGUAS names exactly the .po files.
import pathlib
import re
import subprocess
import sys

top = pathlib.Path(sys.argv[1])
po = top / "po"

# _("…"), N_("…"), C_("ctx", "…"), NC_(…) in C and Blueprint
CALL = re.compile(r"(?<![A-Za-z0-9_])(?:_|N_|C_|NC_)\s*\(")


def has_strings(path):
    name = path.name
    if name.endswith((".desktop.in", ".metainfo.xml.in", ".appdata.xml.in")):
        return True
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return False
    if name.endswith((".c", ".h", ".blp")):
        return CALL.search(text) is not None
    if name.endswith(".ui"):
        return 'translatable="yes"' in text
    if name.endswith(".gschema.xml"):
        return "<summary>" in text or "<description>" in text
    return False


def tree_files():
    """The files of src/ and data/: the ones git tracks, or every file outside git."""
    try:
        out = subprocess.run(["git", "-C", str(top), "ls-files", "-z", "--", "src", "data"],
                             check=True, capture_output=True, text=True).stdout
        return sorted(f for f in out.split("\0") if f)
    except (OSError, subprocess.CalledProcessError):
        return sorted(str(p.relative_to(top)) for d in ("src", "data")
                      for p in (top / d).rglob("*") if p.is_file())


listed = []
for line in (po / "POTFILES.in").read_text().splitlines():
    line = re.sub(r"^\[[^]]*\]\s*", "", line.strip())
    if line and not line.startswith("#"):
        listed.append(line)

results = []
gone = [f for f in listed if not (top / f).is_file()]
results.append((not gone, "every file POTFILES.in names exists", "not there: " + ", ".join(gone)))

twice = sorted({f for f in listed if listed.count(f) > 1})
results.append((not twice, "POTFILES.in names each file once", "twice: " + ", ".join(twice)))

missing = [f for f in tree_files() if has_strings(top / f) and f not in listed]
results.append((not missing, "every file of src/ and data/ with strings for people is in POTFILES.in",
                "add to po/POTFILES.in: " + ", ".join(missing)))

linguas = set()
for line in (po / "LINGUAS").read_text().splitlines():
    linguas.update(re.sub(r"#.*", "", line).split())
po_files = {p.stem for p in po.glob("*.po")}
results.append((linguas == po_files, "po/LINGUAS names exactly the po/*.po files",
                f"no .po file for {sorted(linguas - po_files)}, not in LINGUAS: {sorted(po_files - linguas)}"))

print(f"1..{len(results)}")
for number, (ok, what, why) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {number} - {what}")
    if not ok:
        print(f"# {why}")
sys.exit(0 if all(ok for ok, _, _ in results) else 1)
