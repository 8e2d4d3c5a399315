#!/usr/bin/env bash
# HTTP throughput and latency of `ctis serve` on loopback, measured with wrk, beside nginx
# serving a 2-byte file on the same machine (a practical ceiling for the machine).
#
#   bench/http.sh [seconds]        (default 10 s per run; 64 connections, 2 wrk threads)
#
# Runs: GET /healthz, and an authenticated JSON GET of one user record (a bearer token; the
# read is audited, so every request also appends a durable audit entry). Uses the release
# build (scripts/setup.sh release) and a throwaway SQLite data folder.
set -euo pipefail
cd "$(dirname "$0")/.."
duration="${1:-10}"
connections=64
ctis=build/release/src/cli/ctis
[ -x "$ctis" ] || scripts/setup.sh release >/dev/null
for tool in wrk nginx; do
  command -v "$tool" >/dev/null || {
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get install -y -qq "$([ "$tool" = nginx ] && echo nginx-light || echo wrk)" >/dev/null
  }
done

work=$(mktemp -d)
cleanup() {
  [ -n "${server_pid:-}" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A data folder with one admin and a read-only token.
echo "a bench password 123" | "$ctis" user add bench --role admin --org Bench \
  --display-name "Bench Admin" --email bench@example.org --password-stdin --data "$work/data" >/dev/null 2>&1
token=$("$ctis" token create bench --name bench --scopes read --data "$work/data" 2>/dev/null)

port=$(free_port)
"$ctis" serve --data "$work/data" --listen "127.0.0.1:$port" >"$work/serve.out" 2>"$work/serve.err" &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.out" && break; sleep 0.1; done

# nginx with a 2-byte file, same connections.
nport=$(free_port)
mkdir -p "$work/www" && printf 'ok' > "$work/www/ok.txt"
chmod a+rx "$work" "$work/www" && chmod a+r "$work/www/ok.txt"  # nginx workers are not root
cat > "$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  server { listen 127.0.0.1:$nport; root $work/www; }
}
CONF
nginx -c "$work/nginx.conf"

run() {  # name, url, extra wrk args...
  local name=$1 url=$2; shift 2
  wrk -t2 -c"$connections" -d"${duration}s" --latency "$@" "$url" >"$work/wrk.txt" 2>&1 || true
  local rps p50 p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/wrk.txt")
  p50=$(awk '$1=="50%" {print $2}' "$work/wrk.txt")
  p99=$(awk '$1=="99%" {print $2}' "$work/wrk.txt")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' "$work/wrk.txt" | tr '\n' ' ')
  printf '%-34s %12s %10s %10s  %s\n' "$name" "$rps" "$p50" "$p99" "$errors"
}

echo "wrk -t2 -c$connections -d${duration}s on $(nproc) cores, $(date -u +%Y-%m-%d)"
printf '%-34s %12s %10s %10s\n' "target" "requests/s" "p50" "p99"
run "nginx: 2-byte static file" "http://127.0.0.1:$nport/ok.txt"
run "ctis: GET /healthz" "http://127.0.0.1:$port/healthz"
run "ctis: GET /api/v1/users/1 (token)" "http://127.0.0.1:$port/api/v1/users/1" \
  -H "Authorization: Bearer $token"
audited=$("$ctis" audit verify --data "$work/data")
echo "after the run: $audited"
