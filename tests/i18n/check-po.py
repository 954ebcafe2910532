#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks every translation in po/LINGUAS: valid, formats and access keys kept, nothing fuzzy or untranslated, and in the built desktop file.
#   check-po.py PO_DIR [DESKTOP_FILE DESKTOP_TEMPLATE]
import os
import pathlib
import re
import subprocess
import sys
import tempfile

po_dir = pathlib.Path(sys.argv[1])
desktop = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else None
template = pathlib.Path(sys.argv[3]) if len(sys.argv) > 3 else None

languages = []
for line in (po_dir / "LINGUAS").read_text().splitlines():
    languages += re.sub(r"#.*", "", line).split()

results = []
for lang in languages:
    po = po_dir / f"{lang}.po"
    if not po.is_file():
        results.append((False, f"{lang}: po/{lang}.po exists", "it is named in LINGUAS"))
        continue
    # --check: the header, plural forms and every printf format against its msgid;
    # --check-accelerators: a msgid's one mnemonic underscore is in the msgstr once.
    run = subprocess.run(["msgfmt", "--check", "--check-accelerators=_", "--statistics",
                          "-o", os.devnull, str(po)],
                         capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"})
    results.append((run.returncode == 0, f"{lang}: msgfmt --check accepts po/{lang}.po (formats, plurals, access keys)",
                    run.stderr.strip()))
    stats = run.stderr.strip().splitlines()[-1] if run.stderr.strip() else ""
    complete = re.fullmatch(r"\d+ translated messages?\.", stats) is not None
    results.append((complete, f"{lang}: every message is translated, none fuzzy",
                    f"msgfmt --statistics: {stats}"))

# Against the sources themselves: a string added without its translations
# shows here (msgmerge without fuzzy matching, so nothing passes for it).
with tempfile.TemporaryDirectory() as tmp:
    pot = pathlib.Path(tmp) / "sesame.pot"
    subprocess.run(["xgettext", "--from-code=UTF-8", "--add-comments", "--keyword=_", "--keyword=N_",
                    "--keyword=C_:1c,2", "--keyword=NC_:1c,2", "--keyword=g_dngettext:2,3",
                    "-f", str(po_dir / "POTFILES.in"), "-D", str(po_dir.parent), "-o", str(pot)],
                   check=True, capture_output=True)
    for lang in languages:
        merged = pathlib.Path(tmp) / f"{lang}.po"
        if not (po_dir / f"{lang}.po").is_file():
            continue
        subprocess.run(["msgmerge", "--quiet", "--no-fuzzy-matching", str(po_dir / f"{lang}.po"),
                        str(pot), "-o", str(merged)], check=True)
        missing = subprocess.run(["msgattrib", "--untranslated", "--no-obsolete", str(merged)],
                                 capture_output=True, text=True, check=True).stdout
        strings = [m for m in re.findall(r'^msgid "(.+)"$', missing, re.M)]
        results.append((not strings, f"{lang}: translates every string of the sources (xgettext over POTFILES.in)",
                        "untranslated: " + "; ".join(strings)))

if desktop is not None:
    text = desktop.read_text() if desktop.is_file() else ""
    note = ""
    # merge_file() does not depend on the .po files, so a build from before a
    # translation existed keeps an old desktop file. Check a fresh merge then.
    newest = max(p.stat().st_mtime for p in [po_dir / "LINGUAS", *po_dir.glob("*.po")])
    if template is not None and (not desktop.is_file() or desktop.stat().st_mtime < newest):
        with tempfile.TemporaryDirectory() as tmp:
            fresh = pathlib.Path(tmp) / desktop.name
            subprocess.run(["msgfmt", "--desktop", "--template", str(template), "-d", str(po_dir),
                            "-o", str(fresh)], check=True)
            text = fresh.read_text()
        note = " (merged afresh: the built one predates po/)"
    for lang in languages:
        ok = re.search(rf"^Name\[{re.escape(lang)}\]=.+$", text, re.M) is not None
        results.append((ok, f"{lang}: the desktop file has Name[{lang}]={note}",
                        f"no Name[{lang}]= in {desktop}"))

print(f"1..{len(results)}")
for number, (ok, what, why) in enumerate(results, 1):
    print(f"{'ok' if ok else 'not ok'} {number} - {what}")
    if not ok:
        for line in why.splitlines():
            print(f"# {line}")
sys.exit(0 if all(ok for ok, _, _ in results) else 1)
