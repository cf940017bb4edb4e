"""Compares the crate edges listed in ARCHITECTURE.md with cargo metadata.

Reads `cargo metadata` on standard input. The list sits between
`<!-- crate-edges:begin -->` and `<!-- crate-edges:end -->`, one line a crate:
- `from` → `to`, `to`; dev: `to`      (or `nothing` before the `;`)
Prints every difference and exits 1 if there is one.
"""

import json
import re
import sys

ARCHITECTURE = sys.argv[1]


def documented():
    text = open(ARCHITECTURE, encoding="utf-8").read()
    match = re.search(r"<!-- crate-edges:begin -->(.*?)<!-- crate-edges:end -->", text, re.S)
    if not match:
        sys.exit(f"error: {ARCHITECTURE} has no crate-edges list")
    edges = {}
    for line in match.group(1).strip().splitlines():
        if not line.strip():
            continue
        found = re.fullmatch(r"- `([^`]+)` → (.*)", line.strip())
        if not found:
            sys.exit(f"error: cannot read the crate-edges line: {line!r}")
        crate, rest = found.groups()
        normal, _, dev = rest.partition("; dev:")
        names = lambda part: set(re.findall(r"`([^`]+)`", part))
        if crate in edges:
            sys.exit(f"error: {crate} is listed twice")
        edges[crate] = (names(normal), names(dev))
    return edges


def actual():
    metadata = json.load(sys.stdin)
    members = set(metadata["workspace_members"])
    ours = {p["name"] for p in metadata["packages"] if p["id"] in members}
    edges = {}
    for package in metadata["packages"]:
        if package["id"] not in members:
            continue
        normal, dev = set(), set()
        for dependency in package["dependencies"]:
            if dependency["name"] not in ours:
                continue
            (dev if dependency["kind"] == "dev" else normal).add(dependency["name"])
        # A crate both depends on and dev-depends on another: the edge is normal.
        edges[package["name"]] = (normal, dev - normal)
    return edges


def main():
    listed, real = documented(), actual()
    problems = []
    for crate in sorted(real.keys() - listed.keys()):
        problems.append(f"{crate} is a workspace crate but ARCHITECTURE.md does not list it")
    for crate in sorted(listed.keys() - real.keys()):
        problems.append(f"ARCHITECTURE.md lists {crate}, which is not a workspace crate")
    for crate in sorted(listed.keys() & real.keys()):
        for kind, documented_edges, real_edges in (
            ("", listed[crate][0], real[crate][0]),
            ("dev-", listed[crate][1], real[crate][1]),
        ):
            for missing in sorted(real_edges - documented_edges):
                problems.append(f"{crate} {kind}depends on {missing}, which ARCHITECTURE.md does not show")
            for extra in sorted(documented_edges - real_edges):
                problems.append(f"ARCHITECTURE.md shows {crate} {kind}depending on {extra}, which it does not")
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"the crate edges of {ARCHITECTURE} match cargo metadata ({len(real)} crates)")


main()
