-- issue 15: what the suggestBgm response cache (src/modules/suggestion/suggestion-cache.ts) checks
-- before it answers from memory. A cached page may be reused only while nothing it was ranked from
-- has changed:
-- - the catalog (tracks, licenses, their embeddings and windows, analyses, model versions and the
--   canary): every committed write to these tables adds 1 to catalog_epoch.value;
-- - the video and its query embeddings: their rows' xmin (a new row version on every change);
-- - time, because licenses start and end: the next valid_from or valid_to after now().
-- The counter is a row, not a sequence, so a reader sees it change in the same commit as the data
-- (a sequence moves before the commit is visible, and a page ranked in between would be labelled
-- with the new value). The triggers are deferred to commit and bump once per transaction, so the
-- row's lock is held only while committing, after every other lock the writer took: writers do
-- not wait on each other for the length of their transactions, and cannot deadlock on it.
CREATE TABLE "catalog_epoch" (
    "id" BOOLEAN NOT NULL DEFAULT true,
    "value" BIGINT NOT NULL,
    CONSTRAINT "catalog_epoch_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "catalog_epoch_one_row" CHECK ("id")
);
INSERT INTO "catalog_epoch" ("id", "value") VALUES (true, 0);

CREATE FUNCTION "bump_catalog_epoch"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Once per transaction: the setting is local to it, so it is unset again when the next one starts.
  IF current_setting('bgm.catalog_epoch_bumped', true) IS DISTINCT FROM 'on' THEN
    UPDATE "catalog_epoch" SET "value" = "value" + 1;
    PERFORM set_config('bgm.catalog_epoch_bumped', 'on', true);
  END IF;
  RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['model_version', 'track', 'license', 'track_analysis', 'track_embedding',
                           'track_segment_embedding'] LOOP
    EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "bump_catalog_epoch"()',
                   t || '_catalog_epoch', t);
    -- TRUNCATE has no row events (and constraint triggers are row triggers): its own statement trigger.
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION "bump_catalog_epoch"()',
                   t || '_catalog_epoch_truncate', t);
  END LOOP;
END $$;

-- The next license boundary is read on every cached answer: two index probes, not a scan.
CREATE INDEX "license_valid_from_idx" ON "license"("valid_from");
CREATE INDEX "license_valid_to_idx" ON "license"("valid_to");
