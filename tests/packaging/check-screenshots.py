#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks that every screenshot the metainfo names is a PNG in data/screenshots/ (skipped until that folder exists).
import pathlib
import sys
import xml.etree.ElementTree as ElementTree

metainfo = pathlib.Path(sys.argv[1])
folder = metainfo.parent / "screenshots"
images = [image.text.strip() for image in ElementTree.parse(metainfo).iter("image")]

if not images:
    print("1..1")
    print("not ok 1 - the metainfo shows screenshots")
    sys.exit(1)

print(f"1..{len(images)}")
failed = False
for number, url in enumerate(images, 1):
    name = url.rsplit("/", 1)[-1]
    path = folder / name
    if not folder.is_dir():
        print(f"ok {number} - {name} is in data/screenshots/ # SKIP data/screenshots/ is not there yet")
    elif path.is_file() and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n":
        print(f"ok {number} - {name} is in data/screenshots/")
    else:
        failed = True
        print(f"not ok {number} - {name} is in data/screenshots/")
        print(f"# {url} is shown by software centres; add {path.relative_to(metainfo.parent.parent)} as a PNG")
sys.exit(1 if failed else 0)
