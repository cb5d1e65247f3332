-- One worker commit of a track's windows: its 150 window rows replaced under the version (pgbench -f).
\set i random(1, 100) + 100 * :client_id
BEGIN;
DELETE FROM track_segment_embedding WHERE track_id = (SELECT id FROM track WHERE title = 'T' || :i);
INSERT INTO track_segment_embedding (track_id, model_version_id, window_index, start_sec, embedding)
SELECT (SELECT id FROM track WHERE title = 'T' || :i), (SELECT id FROM model_version LIMIT 1), g, g,
       (SELECT v FROM seed_vec)
FROM generate_series(0, 149) g;
COMMIT;
