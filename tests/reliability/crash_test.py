#!/usr/bin/python3
"""Crash test: sends signed Retell webhooks to askpro-server on loopback while killing the server with
SIGKILL at random moments and restarting it. Afterwards every webhook that got a 2xx must be stored and
processed exactly once: no lost webhook, no duplicate call, no double booking. The kills go on while the
backlog drains, and a run with fewer than --min-kills kills fails: a run too quick to be hit proves nothing.

usage: crash_test.py --build DIR --db URL [--webhooks N] [--seed S] [--kill-every-ms MIN,MAX] [--min-kills N]
Prints the figures and exits 1 when any check fails."""
import argparse, datetime, hashlib, hmac, json, os, random, signal, socket, subprocess, sys, tempfile, threading, time
import urllib.error, urllib.request

RETELL_KEY = b"key_sandbox_retell"
BRANCH_NUMBER = "+4930555000"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sign(body):
    ms = str(int(time.time() * 1000))
    return "v=%s,d=%s" % (ms, hmac.new(RETELL_KEY, body + ms.encode(), hashlib.sha256).hexdigest())


def post(url, body, headers=None, timeout=5):
    request = urllib.request.Request(url, data=body, headers=headers or {}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
        return 0, b""


def get_json(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


def sql(db, statement):
    """Runs one statement with the engine's own command-line client; returns rows of text."""
    if db.startswith("sqlite:"):
        out = subprocess.run(["sqlite3", db[len("sqlite:"):], statement], check=True, capture_output=True, text=True).stdout
    else:
        out = subprocess.run(["psql", db, "-At", "-c", statement], check=True, capture_output=True, text=True).stdout
    return [line.split("|") for line in out.strip().splitlines() if line]


def slots(count):
    """Free 15-minute slots, 09:00-16:45 Berlin on weekdays, from three days ahead."""
    day = datetime.date.today() + datetime.timedelta(days=3)
    result = []
    while len(result) < count:
        if day.weekday() < 5:
            for k in range(32):
                result.append((day.isoformat(), "%02d:%02d" % (9 + k // 4, (k % 4) * 15)))
        day += datetime.timedelta(days=1)
    return result[:count]


class Server:
    def __init__(self, build, db, port, env, log):
        self.cmd = [os.path.join(build, "app/server/askpro-server"), "serve", "--db", db, "--listen", "127.0.0.1:%d" % port]
        self.env, self.log, self.port, self.process = env, log, port, None

    def start(self):
        self.process = subprocess.Popen(self.cmd, env=self.env, stdout=self.log, stderr=self.log)
        for _ in range(200):
            if post("http://127.0.0.1:%d/webhooks/retell" % self.port, b"{}", timeout=1)[0] != 0:
                return
            time.sleep(0.05)
        raise RuntimeError("askpro-server did not start")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--webhooks", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kill-every-ms", default="300,1500")
    parser.add_argument("--min-kills", type=int, default=10)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    kill_min, kill_max = (int(v) for v in args.kill_every_ms.split(","))
    work = tempfile.mkdtemp(prefix="askpro-crash-")
    log = open(os.path.join(work, "processes.log"), "w")
    server_bin = os.path.join(args.build, "app/server/askpro-server")
    env = dict(os.environ, ASKPRO_KEY_FILE=os.path.join(work, "askpro.key"), QT_LOGGING_RULES="askpro.*.info=false")

    sandbox_port, server_port = free_port(), free_port()
    sandbox_url = "http://127.0.0.1:%d" % sandbox_port
    sandbox = subprocess.Popen([os.path.join(args.build, "app/sandbox/askpro-sandbox"), "--listen", "127.0.0.1:%d" % sandbox_port],
                               stdout=log, stderr=log)
    try:
        for _ in range(100):
            try:
                get_json(sandbox_url + "/sandbox/state")
                break
            except OSError:
                time.sleep(0.05)
        # One company, one branch, one 15-minute service; providers connected through askpro-server itself.
        subprocess.run([server_bin, "migrate", "--db", args.db], env=env, check=True, stdout=log, stderr=log)
        now = int(time.time() * 1000)
        sql(args.db, "INSERT INTO companies (name, created_at, updated_at) VALUES ('Crash Test GmbH', %d, %d)" % (now, now))
        company = sql(args.db, "SELECT MAX(id) FROM companies")[0][0]
        sql(args.db, "INSERT INTO branches (company_id, name, phone_e164, time_zone, created_at, updated_at) "
                     "VALUES (%s, 'Filiale', '%s', 'Europe/Berlin', %d, %d)" % (company, BRANCH_NUMBER, now, now))
        sql(args.db, "INSERT INTO services (company_id, name, duration_minutes, created_at) VALUES (%s, 'Beratung', 15, %d)" % (company, now))
        for provider, key, extra in (("retell", "key_sandbox_retell", []), ("calcom", "cal_test_sandbox", ["--company", company])):
            base = sandbox_url + ("/retell" if provider == "retell" else "/calcom/v2")
            subprocess.run([server_bin, "credentials", provider, "--db", args.db, "--base-url", base] + extra, input=key + "\n",
                           text=True, env=env, check=True, stdout=log, stderr=log)
        subprocess.run([server_bin, "connect", "--all", "--db", args.db, "--public-url", "http://127.0.0.1:%d" % server_port,
                        "--sip-host", "trunk.sandbox.example"],
                       env=env, check=True, stdout=log, stderr=log)

        # The deliveries: each call's three events, some sent twice, in a shuffled but per-call ordered stream.
        calls = max(1, int(args.webhooks * 0.3))  # three events per call, the rest duplicate deliveries
        wanted = slots(calls)
        deliveries = []
        for i in range(calls):
            call_id = "call_crash_%06d" % i
            date, hhmm = wanted[i]
            base_call = {"call_id": call_id, "to_number": BRANCH_NUMBER, "from_number": "+49151%08d" % i,
                         "start_timestamp": now - 120000, "end_timestamp": now - 30000, "call_status": "ended"}
            analysis = {"custom_analysis_data": {"appointment_requested": True, "service": "Beratung", "date": date,
                                                 "time": hhmm, "customer_name": "Kundin %d" % i}}
            events = [("call_started", dict(base_call, call_status="ongoing")), ("call_ended", base_call),
                      ("call_analyzed", dict(base_call, call_analysis=analysis))]
            for name, call in events:
                deliveries.append(json.dumps({"event": name, "call": call}).encode())
        while len(deliveries) < args.webhooks:  # Retell's duplicate deliveries
            deliveries.append(deliveries[rng.randrange(len(deliveries))])
        server = Server(args.build, args.db, server_port, env, log)
        server.start()
        url = "http://127.0.0.1:%d/webhooks/retell" % server_port
        acknowledged, refused_while_down = set(), 0
        # The killer runs beside the sender and on while the backlog drains, so a kill can land anywhere:
        # mid-request, mid-commit, mid-job, mid-booking.
        stop_killing = threading.Event()
        kills = {"sending": 0, "draining": 0}
        phase = ["sending"]

        def killer():
            while not stop_killing.wait(rng.uniform(kill_min, kill_max) / 1000):
                server.kill()
                kills[phase[0]] += 1
                time.sleep(rng.uniform(0, 0.2))
                server.start()

        killer_thread = threading.Thread(target=killer)
        killer_thread.start()
        started = time.time()
        for body in deliveries:
            while True:
                status, _ = post(url, body, {"x-retell-signature": sign(body), "content-type": "application/json"})
                if 200 <= status < 300:
                    event = json.loads(body)
                    acknowledged.add(event["call"]["call_id"] + ":" + event["event"])
                    break
                refused_while_down += 1  # like Retell: deliver again until acknowledged
                time.sleep(0.02)
        sending = time.time() - started
        phase[0] = "draining"

        def jobs(statuses):
            return int(sql(args.db, "SELECT COUNT(*) FROM jobs WHERE kind = 'retell.event' AND status IN (%s)" % statuses)[0][0])

        # Kills stop once no job is queued: the jobs a killed worker held stay 'running' until the last server's
        # orphan sweep gives them back (20 s without a heartbeat), which a server killed every second never runs.
        drain_deadline = time.time() + 120
        while time.time() < drain_deadline and jobs("'queued'") > 0:
            time.sleep(0.2)
        killing_drain = time.time() - started - sending
        stop_killing.set()
        killer_thread.join()
        # The last server drains the rest undisturbed.
        deadline = time.time() + 300
        while time.time() < deadline and jobs("'queued', 'running'") > 0:
            time.sleep(1)
        server.kill()

        stored = {row[0] for row in sql(args.db, "SELECT dedupe_key FROM webhook_inbox WHERE provider = 'retell' AND signature_ok = 1")}
        lost = len(acknowledged - stored)
        call_rows = int(sql(args.db, "SELECT COUNT(*) FROM calls")[0][0])
        distinct_calls = int(sql(args.db, "SELECT COUNT(DISTINCT retell_call_id) FROM calls")[0][0])
        not_done = int(sql(args.db, "SELECT COUNT(*) FROM jobs WHERE kind = 'retell.event' AND status <> 'done'")[0][0])
        booked = int(sql(args.db, "SELECT COUNT(*) FROM calls WHERE outcome = 'booked'")[0][0])
        appointments = int(sql(args.db, "SELECT COUNT(*) FROM appointments WHERE status = 'booked'")[0][0])
        usage_dupes = int(sql(args.db, "SELECT COUNT(*) FROM (SELECT call_id FROM usage_logs WHERE kind = 'call' GROUP BY call_id HAVING COUNT(*) > 1) d")[0][0])
        state = get_json(sandbox_url + "/sandbox/state")
        calcom_bookings = state.get("bookings", -1)
        per_call = {}
        with urllib.request.urlopen(urllib.request.Request(sandbox_url + "/calcom/v2/bookings?take=1000000",
                                                           headers={"Authorization": "Bearer cal_test_sandbox",
                                                                    "cal-api-version": "2024-08-13"}), timeout=30) as r:
            listed = json.loads(r.read()).get("data", [])
        for b in listed if isinstance(listed, list) else listed.get("bookings", []):
            key = (b.get("metadata") or {}).get("askpro_call_id")
            if key and b.get("status") != "cancelled":
                per_call[key] = per_call.get(key, 0) + 1
        double_bookings = sum(1 for n in per_call.values() if n > 1)

        total_kills = kills["sending"] + kills["draining"]
        print("crash test, %s: %d webhooks (%d calls, %d duplicate deliveries), %d SIGKILLs (%d in %.1f s of sending, "
              "%d in %.1f s of draining), %d deliveries refused while the server was down and sent again"
              % (args.db.split(":")[0], len(deliveries), calls, len(deliveries) - 3 * calls, total_kills, kills["sending"], sending,
                 kills["draining"], killing_drain, refused_while_down))
        print("  acknowledged (distinct) %d, stored %d, lost %d; calls %d (distinct %d); jobs not done %d"
              % (len(acknowledged), len(stored), lost, call_rows, distinct_calls, not_done))
        print("  booked calls %d, appointments %d, Cal.com bookings %d (listed %d), double bookings %d, duplicate usage rows %d"
              % (booked, appointments, calcom_bookings, sum(per_call.values()), double_bookings, usage_dupes))
        ok = (lost == 0 and call_rows == calls and distinct_calls == calls and not_done == 0 and booked == calls
              and appointments == calls and double_bookings == 0 and usage_dupes == 0 and calcom_bookings == calls)
        if total_kills < args.min_kills:
            print("  too few SIGKILLs: %d, at least %d required (the server was hardly interrupted, so this run proves "
                  "nothing)" % (total_kills, args.min_kills))
            ok = False
        print("  result: %s" % ("PASS" if ok else "FAIL"))
        return 0 if ok else 1
    finally:
        sandbox.send_signal(signal.SIGKILL)
        sandbox.wait()
        log.close()


if __name__ == "__main__":
    sys.exit(main())
