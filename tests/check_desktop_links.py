#!/usr/bin/env python3
"""The desktop holds no database and no secrets key: askpro-admin links neither Qt Sql nor the server's
library, carries none of its classes, and no file of ui/, models/ or app/admin/ includes them."""
import argparse
import pathlib
import re
import subprocess
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--admin", required=True, help="the askpro-admin executable")
parser.add_argument("--source-dir", required=True)
args = parser.parse_args()
problems = []

libraries = subprocess.run(["ldd", args.admin], capture_output=True, text=True, check=True).stdout
for library in ("libQt6Sql", "libQt6HttpServer", "libpq", "libsqlite3"):
    if library in libraries:
        problems.append(f"askpro-admin links {library}")

symbols = subprocess.run(["nm", "-C", "--defined-only", args.admin], capture_output=True, text=True, check=True).stdout
server_classes = ("Database", "Migrator", "CredentialStore", "SecretBox", "SessionStore", "UserStore",
                  "SetupRunner", "TestCall", "ProviderConnector", "AskProServer", "AdminApi", "WorkerPool", "JobQueue")
for name in server_classes:
    if re.search(rf"askpro::{name}::", symbols):
        problems.append(f"askpro-admin contains askpro::{name}")

# What the desktop may include from backend/: words and rules shared with the server, nothing that reaches
# a database, a key or a provider.
forbidden = re.compile(r'#include "(db/|queries/|jobs/|flow/(?!timeline\.h|appointmentrequest\.h)|billing/|health/|http/|api/|intake/|'
                       r'integrations/(?!jsonreply\.h)|support/|demo/|setup/(?!setupinput\.h|setupprogress\.h)|'
                       r'security/(?!accesspolicy\.h|passwordhasher\.h)|config/)')
root = pathlib.Path(args.source_dir)
for folder in ("ui", "models", "client", "app/admin"):
    for path in sorted((root / folder).rglob("*")):
        if path.suffix not in (".h", ".cpp"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if forbidden.search(line):
                problems.append(f"{path.relative_to(root)}:{number}: {line.strip()}")

for problem in problems:
    print(problem)
print(f"{len(problems)} problem(s)" if problems else "askpro-admin: no database, no key, no server code")
sys.exit(1 if problems else 0)
