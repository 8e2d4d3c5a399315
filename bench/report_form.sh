#!/usr/bin/env bash
# Durable public report submissions per second through the real form (POST /report) on
# loopback, encryption and group commit included, measured with wrk at a bounded load.
#
#   bench/report_form.sh [seconds] [connections]      (defaults: 20 s, 16 connections)
#
# A throwaway SQLite data folder with two recipients of reports (each report's key is sealed to
# both); the submission rate limits are raised so that they do not cap the figure. After the
# run the server is stopped and the reports in the database are counted: every 200 must be a
# stored report. Uses the release build (scripts/setup.sh release) unless $CTIS_BIN is set.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-20}"
connections="${2:-16}"
ctis="${CTIS_BIN:-build/release/src/cli/ctis}"
[ -x "$ctis" ] || scripts/setup.sh release >/dev/null
command -v wrk >/dev/null || {
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get install -y -qq wrk >/dev/null
}

work=$(mktemp -d)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

password="a bench password 123"
for user in admin:admin coord:coordinator case:caseworker; do
  echo "$password" | "$ctis" user add "${user%%:*}" --role "${user##*:}" --org Bench \
    --password-stdin --data "$work/data" >/dev/null 2>&1
done
cat >"$work/ctis.toml" <<CONF
[server]
worker_threads = 32
[reports]
submissions_per_second = 100000
submission_burst = 100000
CONF

port=$(free_port)
"$ctis" serve --config "$work/ctis.toml" --data "$work/data" --listen "127.0.0.1:$port" \
  >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.out" && break; sleep 0.1; done
url="http://127.0.0.1:$port"

login() {  # user -> "cookie csrf"
  curl -s -D "$work/h" -o "$work/b" -H 'Content-Type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$password\"}" "$url/api/v1/auth/login"
  echo "$(grep -i '^set-cookie' "$work/h" | sed 's/.*ctis_session=\([^;]*\).*/\1/') \
$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["csrf_token"])' "$work/b")"
}
read -r cookie csrf < <(login admin)
for user in coord case; do
  id=$(curl -s -b "ctis_session=$cookie" "$url/api/v1/users" |
    python3 -c "import json,sys; print([u['id'] for u in json.load(sys.stdin)['users'] if u['username']=='$user'][0])")
  curl -s -o /dev/null -b "ctis_session=$cookie" -H "X-CSRF-Token: $csrf" \
    -H 'Content-Type: application/json' -d "{\"user_id\":$id}" "$url/api/v1/report-recipients"
  login "$user" >/dev/null  # makes the recipient's key pair
done

cat >"$work/post.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.body = "lang=en&work_type=agriculture&signs=debt&signs=long_hours&place_country=IT" ..
  "&place=Greenhouses+by+the+ring+road&when_seen=this_week&affected=adults&people_count=12" ..
  "&description=" .. string.rep("Workers+sleep+in+the+sheds+and+owe+the+boss+money.+", 12)
LUA
wrk -t2 -c"$connections" -d"${duration}s" --latency -s "$work/post.lua" "$url/report" \
  >"$work/wrk.txt" 2>&1
kill "$server_pid" && wait "$server_pid" 2>/dev/null || true
server_pid=""

requests=$(awk '/requests in/ {print $1}' "$work/wrk.txt")
non2xx=$(awk '/Non-2xx/ {print $NF}' "$work/wrk.txt")
stored=$(sqlite3 "$work/data/ctis.db" "SELECT COUNT(*) FROM reports")
echo "POST /report, wrk -t2 -c$connections -d${duration}s on $(nproc) cores, $(date -u +%Y-%m-%d)"
echo "requests/s:     $(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")"
echo "latency p50:    $(awk '$1=="50%" {print $2}' "$work/wrk.txt")"
echo "latency p99:    $(awk '$1=="99%" {print $2}' "$work/wrk.txt")"
echo "answers:        $requests (non-2xx: ${non2xx:-0})"
echo "stored reports: $stored (every 200 must be one)"
