#!/usr/bin/env python3
"""Writes data/reports/countries.<lang>.tsv (fr, es, ar): ISO 3166-1 alpha-2 code and country
name in that language, in alphabetical order for that language (accents ignored), from the
translations of Debian's iso-codes package (the source of data/countries.tsv)."""
import gettext, json, pathlib, sys, unicodedata

ROOT = pathlib.Path(__file__).resolve().parent.parent
VERSION = "4.15.0"
entries = json.load(open("/usr/share/iso-codes/json/iso_3166-1.json"))["3166-1"]
codes = {line.split("\t")[0] for line in open(ROOT / "data/countries.tsv")
         if line[:1].isupper() and "\t" in line}


def sort_key(name):
    folded = unicodedata.normalize("NFKD", name)
    return "".join(c for c in folded if not unicodedata.combining(c)).casefold()


for lang in ("fr", "es", "ar"):
    tr = gettext.translation("iso_3166-1", languages=[lang])
    rows = []
    for e in entries:
        if e["alpha_2"] not in codes:
            continue
        rows.append((e["alpha_2"], tr.gettext(e["name"])))
    missing = [c for c in codes if c not in {r[0] for r in rows}]
    if missing:
        sys.exit(f"{lang}: no entry for {missing}")
    rows.sort(key=lambda r: sort_key(r[1]))
    out = ROOT / f"data/reports/countries.{lang}.tsv"
    with open(out, "w", encoding="utf-8") as f:
        f.write(f"# ISO 3166-1 country names in '{lang}', ordered for that language.\n")
        f.write(f"# From the iso-codes project (Debian package iso-codes {VERSION}, LGPL-2.1-or-later);\n")
        f.write("# written by scripts/gen-country-names.py.\n")
        for code, name in rows:
            f.write(f"{code}\t{name}\n")
    print(out, len(rows))
