#!/usr/bin/env bash
# Sets up, builds and runs the CTIS demo on the embedded database: a data folder with invented
# organisations and staff, served at http://127.0.0.1:8080 (override with CTIS_DEMO_LISTEN).
# The admin password is printed once, when the demo folder is first created.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
exec build/release/src/cli/ctis demo --data "${CTIS_DEMO_DATA:-demo-data}" \
  --listen "${CTIS_DEMO_LISTEN:-127.0.0.1:8080}"
