#!/usr/bin/env bash
# Installs the system packages the test suites need on a fresh Debian 12 machine: ffmpeg, espeak-ng,
# sox, chromium, music packages, python3-torch and pgvector (built from Debian's source package).
# Idempotent: every step is skipped when its result is already present.
set -euo pipefail

log() { printf '[install-system] %s\n' "$*"; }
export DEBIAN_FRONTEND=noninteractive

need_apt=()
command -v ffmpeg >/dev/null || need_apt+=(ffmpeg)
command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
command -v sox >/dev/null || need_apt+=(sox)
# Headless browser for the rater-page test (driven by playwright-core, never its own download).
command -v chromium >/dev/null || need_apt+=(chromium)
# Real, freely licensed music for the ingestion tests and the dataset generator (Debian packages
# that carry each track's license in /usr/share/doc/PACKAGE/copyright).
[ -d /usr/share/games/wesnoth/1.16/data/core/music ] || need_apt+=(wesnoth-1.16-music)
/usr/bin/python3 -c 'import torch, onnx, numpy, pytest' 2>/dev/null \
  || need_apt+=(python3-torch python3-onnx python3-numpy python3-pytest)

pg_has_vector() {
  psql -h 127.0.0.1 -U postgres -d postgres -Atc \
    "SELECT 1 FROM pg_available_extensions WHERE name='vector'" 2>/dev/null | grep -q 1
}

if ! pg_has_vector; then
  need_apt+=(postgresql-server-dev-15 build-essential dpkg-dev)
  MIRROR=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  echo "deb-src $MIRROR trixie main" > /etc/apt/sources.list.d/trixie-src.list
fi

if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if ! pg_has_vector; then
  log "building pgvector from Debian's source package"
  build=$(mktemp -d)
  (cd "$build" && apt-get source -qq pgvector >/dev/null && cd pgvector-*/ \
    && make -s PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >/dev/null \
    && make -s install PG_CONFIG=/usr/lib/postgresql/15/bin/pg_config >/dev/null)
  rm -rf "$build"
  pg_has_vector || { log "pgvector build did not register the extension"; exit 1; }
fi
log "system packages ready"
