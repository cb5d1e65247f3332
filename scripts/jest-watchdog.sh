#!/usr/bin/env bash
# Runs jest (arguments passed through) and makes sure it ends once it has written its results.
#
# Why: a CI run (stop 23) printed jest's summary and "Test results written to: ...", then nothing
# for the remaining 70 minutes of its limit: no "Jest did not exit one second after..." warning,
# so the event loop was not merely kept alive by a handle. Native add-ons loaded in the jest
# process (onnxruntime-node's thread pools above all: microsoft/onnxruntime#24579) are known to
# deadlock or abort in their static destructors at exit. The results file is complete by then, so
# the verdict comes from it; the watchdog prints native stacks (when gdb is present) and kills the
# process group so that the hang is visible in the log instead of eating the CI limit.
#
# Usage: scripts/jest-watchdog.sh <results.json> [jest args...]
set -uo pipefail
results="$1"
shift
# jest writes the results file after every suite and the global teardown: a healthy exit follows
# within a second or two. The clean-clone CI runs of 2026-12-06 hung there and waited out the whole
# grace, which was 60 s.
grace="${JEST_EXIT_GRACE_SECONDS:-15}"
rm -f "$results"

# Own session and process group, so the kill below also reaches what the tests started.
setsid node node_modules/jest/bin/jest.js --json --outputFile="$results" "$@" &
pid=$!
# setsid took jest off the terminal's process group: pass an interrupt on.
trap 'kill -TERM -- "-$pid" 2>/dev/null' INT TERM

written_for=0
while kill -0 "$pid" 2>/dev/null; do
  if [ -s "$results" ]; then
    written_for=$((written_for + 1))
    if [ "$written_for" -ge "$grace" ]; then
      echo "[jest-watchdog] jest wrote $results ${grace} s ago and has not exited: stacks, then kill" >&2
      if command -v gdb >/dev/null; then
        # The main thread in full, then every thread's top frames (a CI hang showed the threads of
        # @swc/jest's native transformer parked in syscalls; the main thread was cut off then).
        timeout 60 gdb -p "$pid" -batch -ex 'thread apply 1 bt 30' -ex 'thread apply all bt 4' 2>&1 |
          grep -E '^(Thread|#)' | head -160 >&2
      fi
      kill -KILL -- "-$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
      # The results file was written after every suite and the global teardown had finished.
      node -e 'process.exit(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).success ? 0 : 1)' \
        "$results"
      exit $?
    fi
  fi
  sleep 1
done
wait "$pid"
