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

echo "[test] jest"
status=0
NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules --no-warnings=ExperimentalWarning" \
  bash scripts/jest-watchdog.sh "$ARTIFACTS/jest-results.json" --ci --runInBand "$@" || status=$?

echo "[test] training (pytest)"
if /usr/bin/python3 -c 'import torch, onnx, numpy, pytest' 2>/dev/null; then
  # A bound, so that a stuck training test fails this run instead of the CI limit.
  timeout --kill-after=30 "${PYTEST_TIMEOUT_SECONDS:-1200}" \
    /usr/bin/python3 -m pytest training/tests -q --junitxml="$ARTIFACTS/pytest.xml" || status=$?
else
  echo "[test] python3-torch/onnx/numpy/pytest missing: training suite not run"
  rm -f "$ARTIFACTS/pytest.xml"
fi

node scripts/check-suites.js "$ARTIFACTS" || status=$?
exit "$status"
