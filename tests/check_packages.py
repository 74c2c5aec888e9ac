#!/usr/bin/env python3
"""Builds the Debian packages of a build tree with CPack and checks what each holds (issue 15, item 6).

askpro-admin: the desktop app, its menu entry and icon only (no server, no sandbox, no SQL library or driver).
askpro-server: the server, its hardened systemd unit (systemd-analyze verify and its offline exposure score),
its settings as a conffile readable by the askpro group only, the nginx site and the maintainer scripts.
Every binary is stripped and its debug symbols are in the -dbgsym package. The packaged server runs: it
migrates a fresh SQLite database.
"""
import argparse
import os
import re
import subprocess
import sys
import tarfile
import tempfile

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print("FAIL:", message)


def run(*args, **kwargs):
    return subprocess.run(args, check=True, capture_output=True, text=True, **kwargs).stdout


def field(deb, name):
    return run("dpkg-deb", "-f", deb, name).strip()


def members(deb):
    listing = subprocess.run(["dpkg-deb", "--fsys-tarfile", deb], check=True, capture_output=True).stdout
    with tempfile.TemporaryFile() as tar:
        tar.write(listing)
        tar.seek(0)
        with tarfile.open(fileobj=tar) as archive:
            return {member.name.removeprefix("./"): member for member in archive.getmembers() if not member.isdir()}


def has_debug_info(binary):
    return ".debug_info" in run("readelf", "-S", "-W", binary)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build-dir", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="askpro-packages-") as out:
        run("cpack", "-G", "DEB", "--config", os.path.join(args.build_dir, "CPackConfig.cmake"), "-B", out, cwd=out)
        debs = {name.split("_")[0]: os.path.join(out, name) for name in os.listdir(out) if name.endswith((".deb", ".ddeb"))}
        print("packages:", ", ".join(sorted(debs)))
        for name in ("askpro-server", "askpro-admin", "askpro-sandbox"):
            check(name in debs, f"{name} was built")
            check(name + "-dbgsym" in debs, f"{name}-dbgsym was built")
        if failures:
            return 1

        admin = members(debs["askpro-admin"])
        check(set(admin) == {"usr/bin/askpro-admin", "usr/share/applications/askpro-admin.desktop",
                             "usr/share/icons/hicolor/scalable/apps/askpro-admin.svg"},
              f"askpro-admin holds the app, its menu entry and icon only: {sorted(admin)}")
        admin_depends = field(debs["askpro-admin"], "Depends")
        check("sql" not in admin_depends.lower(), f"askpro-admin depends on no SQL library or driver: {admin_depends}")

        server = members(debs["askpro-server"])
        for path in ("usr/bin/askpro-server", "usr/lib/systemd/system/askpro-server.service", "etc/askpro/askpro-server.env",
                     "usr/share/askpro/nginx/askpro.conf", "usr/share/doc/askpro-server/deploy.md"):
            check(path in server, f"askpro-server holds {path}")
        check(not any("askpro-admin" in path or "askpro-sandbox" in path for path in server),
              "askpro-server holds neither the desktop app nor the sandbox")
        env = server.get("etc/askpro/askpro-server.env")
        check(env is not None and env.mode & 0o007 == 0, "the settings file is not readable by others")
        server_depends = field(debs["askpro-server"], "Depends")
        for driver in ("libqt6sql6-sqlite", "libqt6sql6-psql", "adduser"):
            check(driver in server_depends, f"askpro-server depends on {driver}")
        sandbox = members(debs["askpro-sandbox"])
        check(set(sandbox) == {"usr/bin/askpro-sandbox"}, f"askpro-sandbox holds the sandbox only: {sorted(sandbox)}")

        control = os.path.join(out, "control")
        run("dpkg-deb", "-e", debs["askpro-server"], control)
        with open(os.path.join(control, "conffiles")) as conffiles:
            check("/etc/askpro/askpro-server.env" in conffiles.read().split(), "the settings file is a conffile")
        for script in ("postinst", "prerm", "postrm"):
            path = os.path.join(control, script)
            check(os.path.exists(path) and os.access(path, os.X_OK), f"askpro-server has an executable {script}")
            if os.path.exists(path):
                subprocess.run(["sh", "-n", path], check=True)

        root = os.path.join(out, "root")
        for name in ("askpro-server", "askpro-admin", "askpro-sandbox"):
            run("dpkg-deb", "-x", debs[name], root)
            binary = os.path.join(root, "usr/bin", name)
            check(not has_debug_info(binary), f"{name} is stripped")
            symbols = members(debs[name + "-dbgsym"])
            check(any(path.startswith("usr/lib/debug/.build-id/") and path.endswith(".debug") for path in symbols),
                  f"{name}-dbgsym holds the debug symbols by build id")

        # The unit as installed, only pointed at the extracted binary: verify refuses an ExecStart that is missing.
        unit_dir = os.path.join(out, "unit")
        os.makedirs(unit_dir)
        unit = os.path.join(unit_dir, "askpro-server.service")
        with open(os.path.join(root, "usr/lib/systemd/system/askpro-server.service")) as source, open(unit, "w") as copy:
            copy.write(source.read().replace("/usr/bin/askpro-server", os.path.join(root, "usr/bin/askpro-server")))
        verify = subprocess.run(["systemd-analyze", "verify", "--man=no", unit], capture_output=True, text=True)
        check(verify.returncode == 0 and not verify.stderr.strip(), f"systemd-analyze verify: {verify.stderr.strip()}")
        security = subprocess.run(["systemd-analyze", "security", "--offline=yes", unit], capture_output=True, text=True)
        score = re.search(r"Overall exposure level for \S+: ([0-9.]+)", security.stdout + security.stderr)
        check(score is not None and float(score.group(1)) <= 2.0,
              f"the unit's exposure level is at most 2.0 (systemd-analyze security): {score.group(1) if score else security.stderr}")
        if score:
            print("exposure level:", score.group(1))

        database = os.path.join(out, "packaged.sqlite")
        migrated = subprocess.run([os.path.join(root, "usr/bin/askpro-server"), "migrate", "--db", "sqlite:" + database],
                                  capture_output=True, text=True)
        check(migrated.returncode == 0 and os.path.exists(database), f"the packaged server migrates a database: {migrated.stderr}")

        for name, deb in sorted(debs.items()):
            print(f"{name}: {os.path.getsize(deb) / 1e6:.1f} MB, installs {field(deb, 'Installed-Size')} KB")
    print("OK" if not failures else f"{len(failures)} check(s) failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
