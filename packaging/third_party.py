#!/usr/bin/env python3
"""Writes the licence notices of every crate compiled into a binary (THIRD-PARTY.txt).

    cargo metadata --format-version 1 --locked --filter-platform <triple> \
        | packaging/third_party.py logscan > THIRD-PARTY.txt

A statically linked Rust binary carries the code of its dependencies, and most of their
licences (MIT, BSD, Apache-2.0's NOTICE) ask that their notices travel with it. This
follows the resolved graph from the named workspace package along normal dependencies
only: build scripts' and proc-macros' own dependencies run at build time and are not in
the binary (a proc-macro crate itself is left out for the same reason). For each crate it
writes the licence expression from its manifest and the text of its licence files
(LICENSE*, LICENCE*, COPYING*, NOTICE*, UNLICENSE, the manifest's license-file, and the
LICENSE/COPYING/NOTICE of a vendored C library one directory down); a text already
written for another crate is referred to rather than repeated.
"""

import hashlib
import json
import os
import sys

NOTICE_PREFIXES = ("license", "licence", "copying", "notice", "unlicense")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    root_name = sys.argv[1]
    metadata = json.load(sys.stdin)
    packages = {p["id"]: p for p in metadata["packages"]}
    members = set(metadata["workspace_members"])
    nodes = {n["id"]: n for n in metadata["resolve"]["nodes"]}
    roots = [i for i in members if packages[i]["name"] == root_name]
    if not roots:
        print(f"third_party.py: no workspace package named {root_name}", file=sys.stderr)
        return 2

    def is_proc_macro(package):
        return any("proc-macro" in t["kind"] for t in package["targets"])

    seen, stack = set(), list(roots)
    while stack:
        node = nodes[stack.pop()]
        for dep in node["deps"]:
            normal = any(k["kind"] is None for k in dep["dep_kinds"])
            if normal and dep["pkg"] not in seen and not is_proc_macro(packages[dep["pkg"]]):
                seen.add(dep["pkg"])
                stack.append(dep["pkg"])
    bundled = sorted(
        (packages[i] for i in seen if i not in members),
        key=lambda p: (p["name"], p["version"]),
    )

    out = sys.stdout
    out.write(
        f"{root_name} is built from its own source (MIT OR Apache-2.0) and these "
        f"{len(bundled)} crates, compiled into the binary:\n\n"
    )
    for p in bundled:
        out.write(f"  {p['name']} {p['version']}: {p.get('license') or 'see its licence file'}\n")
    written = {}
    for p in bundled:
        out.write(f"\n\n{'=' * 78}\n{p['name']} {p['version']}\n")
        out.write(f"License: {p.get('license') or '(license-file)'}\n")
        if p.get("repository"):
            out.write(f"Repository: {p['repository']}\n")
        directory = os.path.dirname(p["manifest_path"])
        files = sorted(
            f for f in os.listdir(directory)
            if f.lower().startswith(NOTICE_PREFIXES) and os.path.isfile(os.path.join(directory, f))
        )
        # Crates that vendor a C library (zstd-sys, liblzma-sys) keep its notices in the
        # library's own directory.
        for sub in sorted(os.listdir(directory)):
            for name in ("LICENSE", "LICENCE", "COPYING", "NOTICE"):
                if os.path.isfile(os.path.join(directory, sub, name)):
                    files.append(os.path.join(sub, name))
        if p.get("license_file"):
            extra = os.path.relpath(os.path.join(directory, p["license_file"]), directory)
            if extra not in files and os.path.isfile(os.path.join(directory, extra)):
                files.append(extra)
        if not files:
            out.write("(the package has no licence file; its licence is named above)\n")
        for name in files:
            with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as f:
                text = f.read().strip("\n")
            digest = hashlib.sha256(text.encode()).hexdigest()
            if digest in written:
                out.write(f"\n--- {name}: the same text as {written[digest]} above\n")
                continue
            written[digest] = f"{p['name']} {p['version']} {name}"
            out.write(f"\n--- {name}\n\n{text}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
