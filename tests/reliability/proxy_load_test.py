#!/usr/bin/python3
"""Behind the shipped nginx configuration (deploy/nginx/askpro.conf): signed webhook latency of askpro-server
(a) alone, (b) while slow-loris connections dribble their headers, (c) while 100 MB bodies are posted.
Shows that (b) and (c) leave the signed latency where it was and that nginx refuses the 100 MB bodies (413)
before any of them reaches the server (the server's own request counts for the route they were sent to stay 0).
For comparison the same attacks then go straight at askpro-server (--no-direct leaves that out).

The configuration is used as shipped except for what a loopback run must change: the TLS lines (marked
"# TLS") are left out, the listen port and the upstream port are rewritten; every limit stays as it is.

usage: proxy_load_test.py --build DIR [--seconds 15] [--loris 200] [--posters 4] [--mbit 100] [--no-direct]"""
import argparse, json, os, re, select, signal, socket, statistics, subprocess, sys, tempfile, threading, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crash_test import free_port, sign  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONF = os.path.join(ROOT, "deploy/nginx/askpro.conf")
HUNDRED_MB = 100 * 1024 * 1024


def proxy_config(proxy_port, server_port):
    """The shipped server blocks for loopback: no TLS lines, no port-80 redirect block, ports rewritten."""
    text = open(CONF).read()
    blocks = re.split(r"\n(?=server \{)", text)
    kept = [b for b in blocks if not (b.startswith("server {") and "return 301" in b)]
    lines = [line for line in "\n".join(kept).splitlines() if "# TLS" not in line]
    text = "\n".join(lines)
    text = text.replace("server 127.0.0.1:8080;", "server 127.0.0.1:%d;" % server_port)
    text = re.sub(r"(server_name [^;]*;)", r"listen 127.0.0.1:%d;\n    \1" % proxy_port, text, count=1)
    for limit in ("client_max_body_size 1m", "client_header_timeout 10s", "large_client_header_buffers 4 8k",
                  "proxy_set_header X-Forwarded-For $remote_addr"):
        assert limit in text, limit
    return text


class Latency:
    """One keep-alive connection through the proxy posting a freshly signed webhook, one request at a time."""

    def __init__(self, port):
        self.port = port

    def run(self, seconds):
        body = json.dumps({"event": "call_ended", "call": {"call_id": "call_proxy_1", "to_number": "+4930555000",
                                                           "from_number": "+4915100000001", "call_status": "ended"}}).encode()
        samples, statuses = [], {}
        sock = None
        end = time.time() + seconds
        while time.time() < end:
            if sock is None:
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            request = ("POST /webhooks/retell HTTP/1.1\r\nHost: askpro\r\nContent-Type: application/json\r\n"
                       "x-retell-signature: %s\r\nContent-Length: %d\r\n\r\n" % (sign(body), len(body))).encode() + body
            started = time.perf_counter()
            sock.sendall(request)
            status, close = read_response(sock)
            samples.append((time.perf_counter() - started) * 1000)
            statuses[status] = statuses.get(status, 0) + 1
            if close:
                sock.close()
                sock = None
        if sock:
            sock.close()
        return samples, statuses


def read_response(sock, keep_body=False):
    """Status and whether the connection closes (and the body); reads exactly one response with Content-Length."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return (0, True, b"") if keep_body else (0, True)
        data += chunk
    head, rest = data.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
    length = int(headers.get("content-length", "0"))
    while len(rest) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        rest += chunk
    close = headers.get("connection", "").lower() == "close"
    return (status, close, rest) if keep_body else (status, close)


class Loris(threading.Thread):
    """Keeps `count` connections open, each sending one more header line every second and never ending its
    headers; a connection the proxy closes is opened again. Counts opens and closes."""

    def __init__(self, port, count):
        super().__init__(daemon=True)
        self.port, self.count = port, count
        self.stop = threading.Event()
        self.opened = self.closed = 0
        self.sockets = []

    def open_one(self):
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(("127.0.0.1", self.port))
        self.sockets.append([s, False])
        self.opened += 1

    def run(self):
        for _ in range(self.count):
            self.open_one()
        while not self.stop.is_set():
            for entry in list(self.sockets):
                s, started = entry
                try:
                    if not started:
                        s.send(b"POST /webhooks/retell HTTP/1.1\r\nHost: askpro\r\n")
                        entry[1] = True
                    else:
                        s.send(b"X-Slow-%d: %s\r\n" % (int(time.time() * 1000) % 100000, b"a" * 16))
                except (BlockingIOError, InterruptedError):
                    pass
                except OSError:
                    self.drop(entry)
            readable = select.select([e[0] for e in self.sockets], [], [], 0)[0]
            for s in readable:
                try:
                    data = s.recv(4096)
                except OSError:
                    data = b""
                if not data:
                    self.drop(next(e for e in self.sockets if e[0] is s))
            while len(self.sockets) < self.count and not self.stop.is_set():
                self.open_one()
            self.stop.wait(1.0)
        for s, _ in self.sockets:
            s.close()

    def drop(self, entry):
        entry[0].close()
        if entry in self.sockets:
            self.sockets.remove(entry)
            self.closed += 1


class Poster(threading.Thread):
    """Posts 100 MB bodies one after the other, alternately with Content-Length and chunked, streaming
    64 KB pieces until the proxy answers; records the statuses and how many bytes went out before it did."""

    def __init__(self, port, mbit_per_s, chunked_too=True):
        super().__init__(daemon=True)
        self.port, self.chunked_too = port, chunked_too
        self.bytes_per_s = mbit_per_s * 1e6 / 8
        self.total = 0
        self.stop = threading.Event()
        self.statuses = {}
        self.sent_before_answer = []
        self.posts = 0

    def run(self):
        piece = b"x" * 65536
        begun = time.time()
        while not self.stop.is_set():
            chunked = self.chunked_too and self.posts % 2 == 1
            self.posts += 1
            try:
                s = socket.create_connection(("127.0.0.1", self.port), timeout=10)
                head = "POST /webhooks/stripe HTTP/1.1\r\nHost: askpro\r\nContent-Type: application/json\r\n"
                head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else "Content-Length: %d\r\n\r\n" % HUNDRED_MB
                s.sendall(head.encode())
                sent, status = 0, 0
                while sent < HUNDRED_MB and not self.stop.is_set():
                    if select.select([s], [], [], 0)[0]:
                        break
                    data = (b"%x\r\n" % len(piece) + piece + b"\r\n") if chunked else piece
                    try:
                        s.sendall(data)
                    except OSError:
                        break
                    sent += len(piece)
                    self.total += len(piece)
                    # At the stated bandwidth: a client on a network line, not loopback's memory copy.
                    ahead = self.total / self.bytes_per_s - (time.time() - begun)
                    if ahead > 0:
                        time.sleep(ahead)
                if self.stop.is_set():
                    s.close()
                    break
                try:
                    s.settimeout(10)
                    status = read_response(s)[0]
                except OSError:
                    status = 0
                s.close()
                self.statuses[status] = self.statuses.get(status, 0) + 1
                self.sent_before_answer.append(sent)
            except OSError:
                self.statuses[0] = self.statuses.get(0, 0) + 1


def peak_rss_mb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) // 1024
    return 0


def percentile(samples, p):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def server_counts(port, path):
    """askpro_http_requests_total of one route, read from the server directly (loopback, no proxy)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\n\r\n")
        status, _, data = read_response(s, keep_body=True)
        assert status == 200, status
    total = 0
    for line in data.decode().splitlines():
        m = re.match(r'askpro_http_requests_total\{path="%s",status="\d+"\} (\d+)' % re.escape(path), line)
        if m:
            total += int(m.group(1))
    return total


def attack(kind, port, count, seconds, mbit=0):
    """Runs one kind of attacker for `seconds` and prints what it saw as JSON (a process of its own, niced, so
    that on a small machine the attack's own client-side work does not take the CPU the measured path needs)."""
    if kind == "loris":
        l = Loris(port, count)
        l.start()
        time.sleep(seconds)
        l.stop.set()
        l.join()
        print(json.dumps({"opened": l.opened, "closed": l.closed}))
        return 0
    posters = [Poster(port, mbit) for _ in range(count)]
    for p in posters:
        p.start()
    time.sleep(seconds)
    for p in posters:
        p.stop.set()
    for p in posters:
        p.join()
    statuses, sent = {}, []
    for p in posters:
        for k, v in p.statuses.items():
            statuses[str(k)] = statuses.get(str(k), 0) + v
        sent += p.sent_before_answer
    print(json.dumps({"posts": sum(p.posts for p in posters), "statuses": statuses, "max_sent": max(sent or [0]),
                      "mbit_sent": sum(p.total for p in posters) * 8 / 1e6 / seconds}))
    return 0


def start_attack(kind, port, count, seconds, mbit=0):
    return subprocess.Popen(["nice", "-n", "19", sys.executable, os.path.abspath(__file__), "--attack", kind, "--port", str(port),
                             "--count", str(count), "--seconds", str(seconds), "--mbit", str(mbit)], stdout=subprocess.PIPE, text=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--loris", type=int, default=200)
    parser.add_argument("--posters", type=int, default=4)
    parser.add_argument("--mbit", type=float, default=100, help="each poster's sending rate in Mbit/s")
    parser.add_argument("--direct", action=argparse.BooleanOptionalAction, default=True,
                        help="also run the attacks straight at askpro-server, for comparison")
    parser.add_argument("--attack", choices=("loris", "posters"))
    parser.add_argument("--port", type=int)
    parser.add_argument("--count", type=int)
    args = parser.parse_args()
    if args.attack:
        return attack(args.attack, args.port, args.count, args.seconds, args.mbit)
    if not args.build:
        parser.error("--build is required")
    work = tempfile.mkdtemp(prefix="askpro-proxy-")
    os.chmod(work, 0o755)
    db = "sqlite:" + os.path.join(work, "proxy.sqlite")
    log = open(os.path.join(work, "processes.log"), "w")
    server_bin = os.path.join(args.build, "app/server/askpro-server")
    env = dict(os.environ, ASKPRO_KEY_FILE=os.path.join(work, "askpro.key"), ASKPRO_TRUSTED_PROXIES="127.0.0.1",
               QT_LOGGING_RULES="askpro.*.info=false;askpro.*.warning=false")
    server_port, proxy_port = free_port(), free_port()
    with open(os.path.join(work, "nginx.conf"), "w") as f:
        f.write("worker_processes 2;\npid %s/nginx.pid;\nerror_log %s/error.log;\nevents { worker_connections 2048; }\n"
                "http {\n  access_log off;\n  client_body_temp_path %s/body;\n  proxy_temp_path %s/proxy;\n%s\n}\n"
                % (work, work, work, work, proxy_config(proxy_port, server_port)))
    if os.geteuid() == 0:  # workers would run as nobody, who cannot write the temporary folders
        subprocess.run(["sed", "-i", "1i user root;", os.path.join(work, "nginx.conf")], check=True)
    server = nginx = None
    try:
        subprocess.run([server_bin, "migrate", "--db", db], env=env, check=True, stdout=log, stderr=log)
        subprocess.run([server_bin, "credentials", "retell", "--db", db], input="key_sandbox_retell\n", text=True, env=env,
                       check=True, stdout=log, stderr=log)
        server = subprocess.Popen([server_bin, "serve", "--db", db, "--listen", "127.0.0.1:%d" % server_port, "--workers", "1"],
                                  env=env, stdout=log, stderr=log)
        subprocess.run(["nginx", "-t", "-q", "-c", os.path.join(work, "nginx.conf")], check=True, stdout=log, stderr=log)
        nginx = subprocess.Popen(["nginx", "-c", os.path.join(work, "nginx.conf"), "-g", "daemon off;"], stdout=log, stderr=log)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", proxy_port), timeout=1).close()
                socket.create_connection(("127.0.0.1", server_port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        Latency(proxy_port).run(2)  # warm up

        def phase(port, kind=None):
            """Latency through `port` for --seconds, alone or beside one kind of attacker on that port."""
            attacker = None
            if kind:
                attacker = start_attack(kind, port, args.loris if kind == "loris" else args.posters, args.seconds + 2, args.mbit)
                time.sleep(2)
            samples, statuses = Latency(port).run(args.seconds)
            return samples, statuses, json.loads(attacker.communicate()[0]) if attacker else None

        def poster_note(seen, reached):
            refused = {int(k): v for k, v in seen["statuses"].items()}
            return refused, ("100 MB posts: %d at %.0f Mbit/s in all, answers %s, most sent before the answer %.1f MB, reached the server: %d"
                             % (seen["posts"], seen["mbit_sent"], dict(sorted(refused.items())), seen["max_sent"] / 1048576, reached))

        results = []
        samples, statuses, _ = phase(proxy_port)
        results.append(("(a) alone", samples, statuses, None))
        samples, statuses, seen = phase(proxy_port, "loris")
        results.append(("(b) %d slow-loris connections" % args.loris, samples, statuses,
                        "loris: %d connections opened, %d closed by the proxy" % (seen["opened"], seen["closed"])))
        stripe_before = server_counts(server_port, "/webhooks/stripe")
        samples, statuses, seen = phase(proxy_port, "posters")
        reached = server_counts(server_port, "/webhooks/stripe") - stripe_before
        refused, note = poster_note(seen, reached)
        results.append(("(c) %d posters of 100 MB bodies, %g Mbit/s each" % (args.posters, args.mbit), samples, statuses, note))
        if args.direct:
            # The same attacks straight at askpro-server, for comparison: what the proxy keeps away.
            hwm_before = peak_rss_mb(server.pid)
            samples, statuses, _ = phase(server_port)
            results.append(("direct, no proxy: alone", samples, statuses, None))
            samples, statuses, seen = phase(server_port, "loris")
            results.append(("direct, no proxy: %d slow-loris connections" % args.loris, samples, statuses,
                            "loris: %d connections opened, %d closed by the server" % (seen["opened"], seen["closed"])))
            before = server_counts(server_port, "/webhooks/stripe")
            samples, statuses, seen = phase(server_port, "posters")
            results.append(("direct, no proxy: %d posters of 100 MB bodies" % args.posters, samples, statuses,
                            poster_note(seen, server_counts(server_port, "/webhooks/stripe") - before)[1]
                            + "; server peak RSS %d MB -> %d MB" % (hwm_before, peak_rss_mb(server.pid))))

        print("proxy load run: nginx %s (deploy/nginx/askpro.conf, TLS lines left out) -> askpro-server (SQLite), loopback,"
              " %d s per phase, one keep-alive client posting signed webhooks one at a time; attackers niced"
              % (subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip().split("/")[-1], args.seconds))
        for name, samples, statuses, note in results:
            print("  %-50s n %6d  p50 %6.2f ms  p99 %6.2f ms  statuses %s" % (name, len(samples), percentile(samples, 50),
                                                                           percentile(samples, 99), dict(sorted(statuses.items()))))
            if note:
                print("      " + note)
        ok = reached == 0 and set(refused) <= {413} and refused.get(413, 0) > 0
        print("RESULT: 100 MB bodies refused by nginx (413) without reaching the server: %s" % ("yes" if ok else "NO"))
        return 0 if ok else 1
    finally:
        if nginx:
            nginx.send_signal(signal.SIGQUIT)
            try:
                nginx.wait(10)
            except subprocess.TimeoutExpired:
                nginx.kill()
        if server:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
        log.close()


if __name__ == "__main__":
    sys.exit(main())
