#!/usr/bin/env bash
# Installs everything CTIS needs to build, run and test on Debian 12 (as root, or with sudo),
# builds the web app and the program. Safe to run again: it only does what is missing.
#   scripts/setup.sh [dev|release]     (default: release)
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release}"

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost1.81-dev libssl-dev libsodium-dev libsqlite3-dev sqlite3 libpq-dev
  nlohmann-json3-dev libcli11-dev libtomlplusplus-dev libxml2-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  postgresql iproute2 python3 wrk chromium libxml2-utils python3-aiosmtpd
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from another packaging (with npm inside): only ask Debian when absent.
command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
fi

# npm packages, pinned by lock files; reinstalled only when a lock file changed.
npm_install() {
  (cd "$1" && { [ node_modules/.package-lock.json -nt package-lock.json ] \
      || npm ci --no-audit --no-fund --loglevel=error; })
}
npm_install web
npm_install tests/e2e
echo "setup: building the web app"
(cd web && npm run --silent build)

echo "setup: building ($preset)"
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
