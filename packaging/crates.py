#!/usr/bin/env python3
"""The workspace crates that are published, checked for what crates.io and docs.rs need.

    cargo metadata --format-version 1 --no-deps | packaging/crates.py

Prints one crate per line: its name and version. Every member that may be published (no
`publish = false`) must have a description, a licence, a repository, keywords, categories
(and no `command-line-utilities` unless it has a binary), a README.md and the two licence
files in its directory (symlinks to the repository root's are fine: cargo packages their
contents); a library also docs.rs settings and a directory in crates/, where
crates/readme-check's test checks that its README shows the example its lib.rs runs. packaging/README.md has the checklist. Exit status 1,
with one line per problem, when one is missing, so a crate added to the workspace is
packaged like the others or says what it lacks.
"""

import json
import os
import sys


def problems(package):
    directory = os.path.dirname(package["manifest_path"])
    has_bin = any("bin" in t["kind"] for t in package["targets"])
    if not package.get("description"):
        yield "no description"
    if not package.get("license"):
        yield "no license"
    if not package.get("keywords"):
        yield "no keywords"
    if not package.get("categories"):
        yield "no categories"
    if "command-line-utilities" in package.get("categories", []) and not has_bin:
        yield "category command-line-utilities on a library"
    if not package.get("repository"):
        yield "no repository"
    has_lib = any("lib" in t["kind"] for t in package["targets"])
    if has_lib and "rs" not in (package.get("metadata") or {}).get("docs", {}):
        yield "no [package.metadata.docs.rs] (targets = [\"x86_64-unknown-linux-gnu\"])"
    if has_lib and os.path.basename(os.path.dirname(directory)) != "crates":
        yield ("not in crates/ (where crates/readme-check's test finds every library and checks "
               "that its README shows the example its lib.rs runs)")
    readme = package.get("readme")
    if not readme or not os.path.isfile(os.path.join(directory, readme)):
        yield "no README.md (with the example of its lib.rs)"
    for name in ("LICENSE-MIT", "LICENSE-APACHE"):
        if not os.path.isfile(os.path.join(directory, name)):
            yield f"no {name} (ln -s ../../{name} {os.path.relpath(directory)}/)"


def main() -> int:
    metadata = json.load(sys.stdin)
    members = set(metadata["workspace_members"])
    published = [
        p for p in metadata["packages"]
        if p["id"] in members and p.get("publish") != []
    ]
    bad = 0
    for package in sorted(published, key=lambda p: p["name"]):
        for problem in problems(package):
            print(f"{package['name']}: {problem}", file=sys.stderr)
            bad += 1
        print(package["name"], package["version"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
