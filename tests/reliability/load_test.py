#!/usr/bin/python3
"""Load run: wrk against askpro-server's POST /webhooks/retell and the live POST /functions/check-availability,
beside the same machine's raw HTTP limit (wrk against the sandbox's in-memory /sandbox/state, same HTTP
stack, no database) and the database's raw commit rate, all measured in this run. Bounded: each wrk run
lasts --seconds with --connections connections, on loopback only.

usage: load_test.py --build DIR [--seconds 10] [--connections 16]"""
import argparse, json, os, re, signal, sqlite3, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crash_test import BRANCH_NUMBER, free_port, get_json, post, sign, slots, sql  # noqa: E402

LUA = """wrk.method = "POST"
wrk.body = [[%s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-retell-signature"] = "%s"
"""


def wrk(url, seconds, connections, script=None):
    cmd = ["wrk", "-t2", "-c%d" % connections, "-d%ds" % seconds, "--latency", url]
    if script:
        cmd[1:1] = ["-s", script]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, p50, p99, int(non2xx.group(1)) if non2xx else 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix="askpro-load-")
    db_path = os.path.join(work, "load.sqlite")
    db = "sqlite:" + db_path
    log = open(os.path.join(work, "processes.log"), "w")
    server_bin = os.path.join(args.build, "app/server/askpro-server")
    env = dict(os.environ, ASKPRO_KEY_FILE=os.path.join(work, "askpro.key"), QT_LOGGING_RULES="askpro.*.info=false;askpro.*.warning=false")
    sandbox_port, server_port = free_port(), free_port()
    sandbox_url = "http://127.0.0.1:%d" % sandbox_port
    sandbox = subprocess.Popen([os.path.join(args.build, "app/sandbox/askpro-sandbox"), "--listen", "127.0.0.1:%d" % sandbox_port],
                               stdout=log, stderr=log)
    server = None
    try:
        for _ in range(100):
            try:
                get_json(sandbox_url + "/sandbox/state")
                break
            except OSError:
                time.sleep(0.05)
        subprocess.run([server_bin, "migrate", "--db", db], env=env, check=True, stdout=log, stderr=log)
        now = int(time.time() * 1000)
        sql(db, "INSERT INTO companies (name, created_at, updated_at) VALUES ('Last GmbH', %d, %d)" % (now, now))
        sql(db, "INSERT INTO branches (company_id, name, phone_e164, time_zone, created_at, updated_at) "
                "VALUES (1, 'Filiale', '%s', 'Europe/Berlin', %d, %d)" % (BRANCH_NUMBER, now, now))
        sql(db, "INSERT INTO services (company_id, name, duration_minutes, created_at) VALUES (1, 'Beratung', 15, %d)" % now)
        for provider, key, extra in (("retell", "key_sandbox_retell", []), ("calcom", "cal_test_sandbox", ["--company", "1"])):
            base = sandbox_url + ("/retell" if provider == "retell" else "/calcom/v2")
            subprocess.run([server_bin, "credentials", provider, "--db", db, "--base-url", base] + extra, input=key + "\n",
                           text=True, env=env, check=True, stdout=log, stderr=log)
        subprocess.run([server_bin, "connect", "--all", "--db", db, "--public-url", "http://127.0.0.1:%d" % server_port,
                        "--sip-host", "trunk.sandbox.example"],
                       env=env, check=True, stdout=log, stderr=log)
        server = subprocess.Popen([server_bin, "serve", "--db", db, "--listen", "127.0.0.1:%d" % server_port], env=env,
                                  stdout=log, stderr=log)
        for _ in range(200):
            if post("http://127.0.0.1:%d/webhooks/retell" % server_port, b"{}", timeout=1)[0] != 0:
                break
            time.sleep(0.05)

        # One signed delivery repeated: after the first, every request is a verified duplicate (stored, counted).
        date, hhmm = slots(1)[0]
        webhook = json.dumps({"event": "call_ended", "call": {"call_id": "call_load_1", "to_number": BRANCH_NUMBER,
                                                              "from_number": "+4915100000001", "call_status": "ended"}}).encode()
        function = json.dumps({"name": "check_availability", "call": {"call_id": "call_load_2", "to_number": BRANCH_NUMBER},
                               "args": {"service": "Beratung", "date": date, "time": hhmm}}).encode()
        scripts = {}
        for name, body in (("webhook", webhook), ("function", function)):
            path = os.path.join(work, name + ".lua")
            with open(path, "w") as f:
                f.write(LUA % (body.decode(), sign(body)))
            scripts[name] = path
        post("http://127.0.0.1:%d/functions/check-availability" % server_port, function,
             {"x-retell-signature": sign(function), "content-type": "application/json"})  # warm the slot cache

        base = "http://127.0.0.1:%d" % server_port
        results = {
            "raw HTTP (sandbox /sandbox/state, no database)": wrk(sandbox_url + "/sandbox/state", args.seconds, args.connections),
            "POST /webhooks/retell (signed, stored)": wrk(base + "/webhooks/retell", args.seconds, args.connections, scripts["webhook"]),
            "POST /functions/check-availability": wrk(base + "/functions/check-availability", args.seconds, args.connections,
                                                       scripts["function"]),
        }
        server.send_signal(signal.SIGTERM)
        server.wait()
        server = None
        deliveries = int(sql(db, "SELECT delivery_count FROM webhook_inbox WHERE dedupe_key = 'call_load_1:call_ended'")[0][0])

        # The raw commit rate of the same kind of database on this machine, in this run.
        raw = sqlite3.connect(os.path.join(work, "raw.sqlite"), isolation_level=None)
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("PRAGMA synchronous=FULL")
        raw.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
        count, started = 0, time.time()
        while time.time() - started < 3:
            raw.execute("INSERT INTO t (body) VALUES (?)", (webhook.decode(),))
            count += 1
        commits = count / (time.time() - started)

        print("load run, %d s per target, %d connections, 2 wrk threads, loopback, SQLite (synchronous=FULL):" % (args.seconds, args.connections))
        for name, (rate, p50, p99, errors) in results.items():
            print("  %-50s %8.0f req/s  p50 %-8s p99 %-8s non-2xx %d" % (name, rate, p50, p99, errors))
        print("  %-50s %8.0f commits/s" % ("raw SQLite commit rate (same machine)", commits))
        print("  webhook deliveries counted by the server: %d" % deliveries)
        return 0
    finally:
        if server:
            server.send_signal(signal.SIGKILL)
        sandbox.send_signal(signal.SIGKILL)
        sandbox.wait()
        log.close()


if __name__ == "__main__":
    sys.exit(main())
