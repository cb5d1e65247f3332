#!/usr/bin/env bash
# The learning loop's training job (docs/OPERATIONS.md, "Model life cycle"):
#   training/train-from-platform.sh WORK_DIR [--device cuda] [other train.py flags]
# 1. snapshots the creators' choices and raters' votes (dataset:from-platform, newest 20 % held out),
# 2. exports them with the serving front end (dataset:export),
# 3. trains the default recipe on them (CPU, or --device cuda), selecting on the held-out choices,
# 4. registers the exported folder as a CANDIDATE-to-be (VALIDATING until a worker's probe).
# Runs with the API's environment (DATABASE_URL, MEDIA_STORE, ...); with the embedded default
# (DATA_DIR, PGlite) stop the API first: one process owns the embedded database. The lineage's
# parent is the active version (PARENT_VERSION_ID to name another). Needs the built code (npm run build).
set -euo pipefail
work=${1:?usage: training/train-from-platform.sh WORK_DIR [train.py flags]}
shift
root=$(cd "$(dirname "$0")/.." && pwd)
version=${MODEL_VERSION:-platform-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$work"
node "$root/dist/src/bin/dataset-from-platform.js" --out "$work/data" --held-out-fraction "${HELD_OUT_FRACTION:-0.2}"
node "$root/dist/lab/cli/dataset-export.js" --dataset "$work/data" --out "$work/data-x"
(cd "$root" && /usr/bin/env python3 -m training.mrcmv.train --recipe steps --dataset "$work/data-x" \
  --out "$work/run" --epochs "${EPOCHS:-8}" --eval-every "${EVAL_EVERY:-4}" \
  --export "$work/model" --version "$version" "$@")
parent=()
[ -n "${PARENT_VERSION_ID:-}" ] && parent=(--parent "$PARENT_VERSION_ID")
node "$root/dist/src/bin/register-model.js" --dir "$work/model" "${parent[@]}" \
  --notes "dataset:from-platform snapshot $work/data; training/train-from-platform.sh $*"
