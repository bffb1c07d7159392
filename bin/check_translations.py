#!/usr/bin/env python3
"""Check the shipped translations: run by bin/run-tests' lint step (no Odoo needed).

For each addon's i18n/zh_CN.po against its .pot:
- every term of the .pot is in the .po and translated (no empty, no fuzzy entry);
- a translation keeps the term's placeholders (`%s`, `%(name)s`, `{name}`), or Odoo raises
  when it formats the sentence in Chinese;
- no indentation of the XML source is left between Chinese characters: the browser shows a
  line break and its spaces as a stray space in the middle of a Chinese sentence.
Exits 1 and lists the entries otherwise.
"""

import re
import sys
from collections import Counter
from pathlib import Path

import polib

CJK = r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]"
INDENT_IN_SENTENCE = re.compile(rf"{CJK}\n {{4,}}|\n {{4,}}{CJK}")
PLACEHOLDER = re.compile(r"%\(\w+\)[sdf]|%[sdf]|\{\w*\}")


def check(addon):
    pot = polib.pofile(str(next((addon / "i18n").glob("*.pot"))))
    po = polib.pofile(str(addon / "i18n" / "zh_CN.po"))
    translated = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
    problems = []
    for term in pot:
        entry = translated.get((term.msgctxt, term.msgid))
        where = f"{addon.name}: {term.msgid[:70]!r}"
        if entry is None or not entry.msgstr or "fuzzy" in entry.flags:
            problems.append(f"{where}: not translated")
            continue
        if Counter(PLACEHOLDER.findall(term.msgid)) != Counter(PLACEHOLDER.findall(entry.msgstr)):
            problems.append(f"{where}: placeholders differ in {entry.msgstr[:70]!r}")
        if not term.msgid.lstrip().startswith("<") and INDENT_IN_SENTENCE.search(entry.msgstr):
            problems.append(f"{where}: source indentation inside the Chinese sentence")
    return problems


def main():
    root = Path(__file__).resolve().parent.parent
    problems = []
    for manifest in sorted(root.glob("*/__manifest__.py")):
        if (manifest.parent / "i18n" / "zh_CN.po").exists():
            problems += check(manifest.parent)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
