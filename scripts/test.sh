#!/usr/bin/env bash
# The one test command (README): installs what is missing, then typecheck, lint, jest (unit +
# integration in both modes: embedded, and Postgres/pgvector + NATS JetStream) and the PyTorch suite.
# REQUIRE_SERVICES=1 turns a skipped real-services or training suite into a failure (CI sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
ARTIFACTS=test-artifacts
mkdir -p "$ARTIFACTS"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ "$(id -u)" = 0 ]; then
  bash .ci/install-system.sh
else
  echo "[test] not root: system packages (pgvector, ffmpeg, espeak-ng, python3-torch) are not installed by this script"
fi

echo "[test] typecheck"; npm run -s typecheck
echo "[test] lint"; npm run -s lint

echo "[test] build (the worker-crash test runs the built worker)"; npm run -s build

jest_env="${NODE_OPTIONS:-} --experimental-vm-modules --no-warnings=ExperimentalWarning"
training() {
  echo "[test] training (pytest)"
  if /usr/bin/python3 -c 'import torch, onnx, numpy, pytest' 2>/dev/null; then
    # A bound, so that a stuck training test fails this run instead of the CI limit.
    timeout --kill-after=30 "${PYTEST_TIMEOUT_SECONDS:-1200}" \
      /usr/bin/python3 -m pytest training/tests -q --junitxml="$ARTIFACTS/pytest.xml"
  else
    echo "[test] python3-torch/onnx/numpy/pytest missing: training suite not run"
    rm -f "$ARTIFACTS/pytest.xml"
  fi
}

status=0
rm -f "$ARTIFACTS"/jest-*.json
if [ "$#" -gt 0 ]; then
  # Arguments choose the tests (a path, a project): one jest run with them, then the training suite.
  echo "[test] jest $*"
  NODE_OPTIONS="$jest_env" bash scripts/jest-watchdog.sh "$ARTIFACTS/jest-results.json" --ci --runInBand "$@" ||
    status=$?
  training || status=$?
else
  # The integration project (about 25 min on the CI machine) waits on services, processes and
  # timers for part of it, so the unit project (about 2 min) runs beside it instead of after it,
  # its output after the integration's. The training suite stays after both: beside the
  # integration's own trainings (benchmark-e2e.test.ts) both took longer than one after the other.
  echo "[test] jest: integration; beside it, the unit project (its log follows)"
  NODE_OPTIONS="$jest_env" bash scripts/jest-watchdog.sh "$ARTIFACTS/jest-unit.json" --ci --runInBand \
    --selectProjects unit >"$ARTIFACTS/jest-unit.log" 2>&1 &
  unit_pid=$!
  NODE_OPTIONS="$jest_env" bash scripts/jest-watchdog.sh "$ARTIFACTS/jest-integration.json" --ci --runInBand \
    --selectProjects integration || status=$?
  wait "$unit_pid" || status=$?
  echo "[test] jest (unit), run beside the integration project:"
  cat "$ARTIFACTS/jest-unit.log"
  training || status=$?
fi

node scripts/check-suites.js "$ARTIFACTS" || status=$?
exit "$status"
