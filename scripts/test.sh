#!/usr/bin/env bash
# Sets up, builds (with AddressSanitizer and UBSan) and runs every test: unit and integration
# tests against SQLite and a real PostgreSQL server started here on loopback, and the
# end-to-end browser test in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh dev

# A throwaway PostgreSQL on a free loopback port, stopped however the tests end.
source scripts/pg-test-server.sh
pg_test_start
trap pg_test_stop EXIT
export CTIS_TEST_PG_URL

ctest --preset dev -j "$(nproc)" --timeout 600
