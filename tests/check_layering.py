#!/usr/bin/env python3
"""The job pool runs every kind of job without knowing them: no file of backend/jobs includes a header of the
folders whose jobs it runs through JobHandler (the importer registers its apply there)."""
import argparse
import pathlib
import re
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--source-dir", required=True)
args = parser.parse_args()

forbidden = re.compile(r'#include "(importer)/')
problems = []
for path in sorted((pathlib.Path(args.source_dir) / "backend" / "jobs").glob("*")):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if forbidden.search(line):
            problems.append(f"{path.relative_to(args.source_dir)}:{number}: {line.strip()}")
for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
