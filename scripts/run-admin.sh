#!/usr/bin/env bash
# The README's first command: installs what is missing, builds, and opens the admin app on the embedded
# SQLite database with the local provider sandbox and German demo data. In the background it runs the
# sandbox (Retell, Cal.com, Stripe and Twilio stand-ins, placing a simulated call every few seconds; Demo > Simulated
# calls in the app, Ctrl+Shift+D, switches that on and off), a local mail server for the confirmations, and
# askpro-server; all of them stop when the admin app closes.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh

bin=build/app
data="${XDG_DATA_HOME:-$HOME/.local/share}/AskProAI/askpro"
db="sqlite:$data/askpro.sqlite"
mkdir -p "$data"
sandbox_port=${ASKPRO_DEMO_SANDBOX_PORT:-8090}
server_port=${ASKPRO_DEMO_SERVER_PORT:-8080}
smtp_port=${ASKPRO_DEMO_SMTP_PORT:-2525}
calls_per_minute=${ASKPRO_DEMO_CALLS_PER_MINUTE:-6}
sandbox="http://127.0.0.1:$sandbox_port"

pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

"$bin/server/askpro-server" migrate --db "$db" >/dev/null
# The sandbox's Cal.com learns the demo's staff, hours and upcoming appointments, so live calls book around them.
"$bin/server/askpro-server" demo-seed --db "$db" --calendar "$data/demo-calendar.json"
numbers=$(sqlite3 "$data/askpro.sqlite" "SELECT group_concat(phone_e164, ',') FROM branches WHERE active = 1")

/usr/bin/python3 -m aiosmtpd -n -l "127.0.0.1:$smtp_port" -c aiosmtpd.handlers.Mailbox "$data/demo-mail" \
  >"$data/demo-smtp.log" 2>&1 &
pids+=($!)
"$bin/sandbox/askpro-sandbox" --listen "127.0.0.1:$sandbox_port" --seed "$data/demo-calendar.json" \
  --simulate-calls-per-minute "$calls_per_minute" --simulate-to "$numbers" >"$data/demo-sandbox.log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do curl -fs "$sandbox/sandbox/state" >/dev/null 2>&1 && break; sleep 0.1; done

# The sandbox's keys (they are its built-in test keys, not secrets), stored encrypted like real ones.
printf 'key_sandbox_retell\n' | "$bin/server/askpro-server" credentials retell --db "$db" --base-url "$sandbox/retell" >/dev/null
for company in $(sqlite3 "$data/askpro.sqlite" 'SELECT id FROM companies'); do
  printf 'cal_test_sandbox\n' | "$bin/server/askpro-server" credentials calcom --company "$company" --db "$db" \
    --base-url "$sandbox/calcom/v2" >/dev/null
done
# Confirmations by SMS go to the sandbox's Twilio (its account SID and auth token; the sender number is made up).
printf 'AC000000000000000000000000005a4db0:twilio_sandbox_token\n+4915510000000\n' |
  "$bin/server/askpro-server" credentials twilio --db "$db" --base-url "$sandbox/twilio" >/dev/null
"$bin/server/askpro-server" connect --all --db "$db" --public-url "http://127.0.0.1:$server_port" --sip-host trunk.sandbox.example >"$data/demo-connect.log" 2>&1

"$bin/server/askpro-server" serve --db "$db" --listen "127.0.0.1:$server_port" --public-url "http://127.0.0.1:$server_port" \
  --smtp-url "smtp://127.0.0.1:$smtp_port" --stripe-url "$sandbox/stripe/v1" >"$data/demo-server.log" 2>&1 &
pids+=($!)

echo "Demo running: server 127.0.0.1:$server_port, sandbox $sandbox, mail in $data/demo-mail, logs in $data"
# Signed in as the demo administrator; File > Sign out offers the other demo roles (password askpro-demo).
demo_user=${ASKPRO_DEMO_USER:-admin}
export ASKPRO_PASSWORD=${ASKPRO_PASSWORD:-askpro-demo}
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "No display found: starting the admin app on a virtual X server (Xvfb)." >&2
  xvfb-run -a -s "-screen 0 1400x900x24" "$bin/admin/askpro-admin" --server "http://127.0.0.1:$server_port" --sandbox "$sandbox" --user "$demo_user" "$@"
else
  "$bin/admin/askpro-admin" --server "http://127.0.0.1:$server_port" --sandbox "$sandbox" --user "$demo_user" "$@"
fi
