#!/usr/bin/env python3
# CTest check that every message of the code has a finished translation: runs lupdate over the sources into a copy
# of each .ts (so a string added to the code but not to the catalogue counts as missing) and lists what is not done.
import argparse
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

# The translated layers, as in translations/CMakeLists.txt (sandbox/ and tests/ are not translated).
SOURCE_DIRS = ["backend", "client", "models", "ui", "app/admin", "app/server"]
INCLUDE_DIRS = ["backend", "client", "models", "ui"]
PLACEHOLDER = re.compile(r"%(?:n|L?[1-9][0-9]?)")
DEAD = ("vanished", "obsolete")


def messages(path):
    """(context, source, comment) -> (message element, translation element) for every message in a .ts file."""
    result = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.findall("message"):
            key = (name, message.findtext("source") or "", message.findtext("comment") or "")
            result[key] = (message, message.find("translation"))
    return result


def forms(message, translation):
    if message.get("numerus") == "yes":
        return [f.text or "" for f in translation.findall("numerusform")]
    return [translation.text or ""]


def describe(key):
    context, source, comment = key
    shown = source.replace("\n", "\\n")
    return f"[{context}] \"{shown}\"" + (f" ({comment})" if comment else "")


def check(lupdate, source_dir, ts, plural_only):
    files = sorted(str(p) for d in SOURCE_DIRS for p in (source_dir / d).rglob("*") if p.suffix in (".cpp", ".h"))
    committed = messages(ts)
    problems = []
    with tempfile.TemporaryDirectory() as tmp:
        copy = pathlib.Path(tmp) / ts.name
        shutil.copyfile(ts, copy)
        listing = pathlib.Path(tmp) / "sources.lst"
        listing.write_text("\n".join(files) + "\n", encoding="utf-8")
        command = [lupdate, "-silent", "-locations", "none", f"@{listing}", "-ts", str(copy)]
        command[2:2] = [a for d in INCLUDE_DIRS for a in ("-I", str(source_dir / d))]
        if plural_only:
            command.insert(1, "-pluralonly")
        run = subprocess.run(command, capture_output=True, text=True)
        if run.returncode != 0:
            return [f"lupdate failed ({run.returncode}): {run.stderr.strip()}"]
        updated = messages(copy)

    used = 0
    for key, (message, translation) in updated.items():
        state = translation.get("type")
        if state in DEAD:
            continue
        used += 1
        texts = forms(message, translation)
        before = committed.get(key)
        if before is None:
            problems.append(f"missing (in the code, not in {ts.name}): {describe(key)}")
        elif before[1].get("type") in DEAD:
            problems.append(f"vanished in {ts.name} but used by the code: {describe(key)}")
        elif state == "unfinished":
            problems.append(f"unfinished: {describe(key)}")
        elif not texts or any(not t.strip() for t in texts):
            problems.append(f"empty translation: {describe(key)}")
        else:
            wanted = sorted(set(PLACEHOLDER.findall(key[1])))
            for text in texts:
                if sorted(set(PLACEHOLDER.findall(text))) != wanted:
                    problems.append(f"placeholders {wanted} not kept in \"{text}\": {describe(key)}")
                    break
            mnemonic = re.search(r"&[^&\s]", key[1]) is not None
            if mnemonic and not all(re.search(r"&[^&\s]", t) for t in texts):
                problems.append(f"shortcut (&) lost: {describe(key)}")
    print(f"{ts.name}: {used} messages in use, {len(problems)} problems")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lupdate", required=True)
    parser.add_argument("--source-dir", required=True, type=pathlib.Path)
    parser.add_argument("--ts", action="append", default=[], type=pathlib.Path, help="a catalogue of every message")
    parser.add_argument("--plural-ts", action="append", default=[], type=pathlib.Path, help="a catalogue of plural forms only")
    args = parser.parse_args()
    problems = []
    for ts in args.ts:
        problems += check(args.lupdate, args.source_dir, ts, plural_only=False)
    for ts in args.plural_ts:
        problems += check(args.lupdate, args.source_dir, ts, plural_only=True)
    for p in problems:
        print(p)
    if problems:
        print("Run 'ninja update_translations', translate the entries above (Qt Linguist or the .ts file) and commit the .ts.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
