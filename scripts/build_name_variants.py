#!/usr/bin/env python3
"""Builds data/name_variants/name_variants.tsv from the CC0 Wikidata
name-variant files (eval-data/wikidata-name-variants-splink/).

Each Wikidata name item (QID) is a group: its label plus every name it is
"said to be the same as", its hypocorisms and nicknames. Aliases are not
transitive, so no connected components are built: each name keeps the set of
groups it appears in, and two names are variants when their sets intersect.

Names are folded to lowercase a-z (NFKD, combining marks dropped, a few
letters spelled out: ß ss, æ ae, ø o, ł l, đ d, þ th, œ oe; apostrophes
dropped). Names with anything else left (spaces, hyphens, other scripts) are
dropped, and so are one-letter names. Groups with fewer than 2 distinct folded names carry no variant
information and are dropped; groups with more than --max-group names (default
50) are too loose to be evidence and are dropped too.

Usage: scripts/build_name_variants.py [--src DIR] [--out FILE] [--max-group N]
Python 3 standard library only. Output is deterministic (sorted).
"""
import argparse
import collections
import csv
import os
import sys
import unicodedata

FILES = ["family_said_to_be_same.csv", "given_said_to_be_same.csv",
         "given_hypocorism.csv", "given_nickname.csv"]
SPELLED = {"ß": "ss", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "þ": "th",
           "œ": "oe", "ı": "i", "ð": "d"}


def fold(name):
    s = name.strip().lower()
    s = "".join(SPELLED.get(c, c) for c in s)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = s.replace("'", "").replace("\u2019", "")
    if len(s) < 2 or not all("a" <= c <= "z" for c in s):
        return None
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--src", default=os.path.join(
        root, "..", "shared", "eval-data", "wikidata-name-variants-splink"))
    ap.add_argument("--out", default=os.path.join(
        root, "data", "name_variants", "name_variants.tsv"))
    ap.add_argument("--max-group", type=int, default=50)
    args = ap.parse_args()

    groups = collections.defaultdict(set)
    rows = 0
    for fname in FILES:
        with open(os.path.join(args.src, fname), encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                rows += 1
                qid = row["wikidata_name_item"].strip()
                if not qid.startswith("Q") or not qid[1:].isdigit():
                    continue
                gid = int(qid[1:])
                if gid >= 2**32:
                    continue
                for col in ("original_name", "alt_name"):
                    n = fold(row[col])
                    if n:
                        groups[gid].add(n)

    too_small = sum(1 for g in groups.values() if len(g) < 2)
    too_big = sum(1 for g in groups.values() if len(g) > args.max_group)
    kept = {gid: g for gid, g in groups.items() if 2 <= len(g) <= args.max_group}
    by_name = collections.defaultdict(set)
    for gid, names in kept.items():
        for n in names:
            by_name[n].add(gid)

    with open(args.out, "w", encoding="utf-8", newline="\n") as out:
        out.write("# name<TAB>wikidata name items (QID numbers) it belongs to; "
                  "built by scripts/build_name_variants.py from CC0 Wikidata data\n")
        for n in sorted(by_name):
            out.write(n + "\t" + ",".join(str(g) for g in sorted(by_name[n])) + "\n")
    print(f"rows read {rows}; groups {len(groups)}; dropped <2 names {too_small}, "
          f">{args.max_group} names {too_big}; groups kept {len(kept)}; "
          f"names {len(by_name)}; bytes {os.path.getsize(args.out)}", file=sys.stderr)


if __name__ == "__main__":
    main()
