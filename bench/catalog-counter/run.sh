#!/usr/bin/env bash
# What the catalog counter's trigger (migration 20261217000000) costs a writer:
# pgbench replaces one track's 150 windows per transaction (2 clients, separate tracks), in rounds
# alternating the trigger on and off, with the version pending and then active; prints tps per
# round and how far the counter moved. Needs the built checkout (npm run build) and local Postgres.
# Usage: bash bench/catalog-counter/run.sh [ROUNDS] [TRANSACTIONS_PER_CLIENT]
set -euo pipefail
cd "$(dirname "$0")"
ROUNDS=${1:-5}
TX=${2:-300}
DB=bgm_counter_bench
PG=(-h 127.0.0.1 -U postgres)
sql() { psql -qtA "${PG[@]}" -d "$DB" -c "$1"; }
dropdb --if-exists "${PG[@]}" "$DB" 2>/dev/null
createdb "${PG[@]}" "$DB"
trap 'dropdb --if-exists "${PG[@]}" "$DB"' EXIT
sql 'CREATE EXTENSION vector'
(cd ../.. && DATABASE_URL="postgresql://postgres@127.0.0.1:5432/$DB" node dist/src/bin/migrate.js >/dev/null)
sql "INSERT INTO model_version (name, version, dims, artifact_uri, manifest) VALUES ('m', '1', 512, 'memory://', '{}')"
sql "INSERT INTO track (title, artist, media_uri, content_hash, status, updated_at)
     SELECT 'T' || i, 'A', 'media://' || i, 'h' || i, 'READY', now() FROM generate_series(1, 200) i"
sql 'CREATE TABLE seed_vec AS SELECT (SELECT array_agg(random() - 0.5) FROM generate_series(1, 512))::vector(512) AS v'
echo "# $(date -u +%FT%TZ) $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for state in pending active; do
  [ "$state" = active ] && sql 'UPDATE model_version SET active = true, activated_at = now()'
  start=$(sql 'SELECT value FROM catalog_epoch')
  for r in $(seq "$ROUNDS"); do
    for trigger in ENABLE DISABLE; do
      sql "ALTER TABLE track_segment_embedding $trigger TRIGGER track_segment_embedding_catalog_epoch"
      tps=$(pgbench -n "${PG[@]}" -f replace-windows.sql -t "$TX" -c 2 -j 2 "$DB" 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
      echo "version $state | round $r | trigger ${trigger,,}d | tps $tps"
    done
  done
  echo "version $state: counter moved by $(($(sql 'SELECT value FROM catalog_epoch') - start)) in $((ROUNDS * TX * 2)) transactions with the trigger on"
done
