-- issue 15: what the suggestBgm response cache (src/modules/suggestion/suggestion-cache.ts) checks
-- before it answers from memory. A cached page may be reused only while nothing it was ranked from
-- has changed:
-- - the catalog (tracks, licenses, analyses, model versions and the canary, and the embeddings and
--   windows of a version that serves): every committed write to these adds 1 to catalog_epoch.value;
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

-- The bump both triggers share: once per transaction (the setting is local to it, so it is unset
-- again when the next one starts).
CREATE FUNCTION "catalog_epoch_bump_once"() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('bgm.catalog_epoch_bumped', true) IS DISTINCT FROM 'on' THEN
    UPDATE "catalog_epoch" SET "value" = "value" + 1;
    PERFORM set_config('bgm.catalog_epoch_bumped', 'on', true);
  END IF;
END $$;

CREATE FUNCTION "bump_catalog_epoch"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "catalog_epoch_bump_once"();
  RETURN NULL;
END $$;

-- Embeddings written under a version that serves nobody (a re-embed's pending version) cannot
-- change any page, so they do not move the counter: the cache stays useful through a re-embed,
-- the largest write load the catalog sees. Those of the active version or a running canary do.
CREATE FUNCTION "bump_catalog_epoch_if_serving"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  version_id uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.model_version_id ELSE NEW.model_version_id END;
  -- Each version is looked up once per transaction (a re-embed commits ~150 window rows at a time).
  checked text := 'bgm.catalog_epoch_v_' || replace(version_id::text, '-', '');
  serving boolean;
BEGIN
  IF current_setting('bgm.catalog_epoch_bumped', true) IS NOT DISTINCT FROM 'on'
     OR current_setting(checked, true) IS NOT DISTINCT FROM 'on' THEN
    RETURN NULL;
  END IF;
  -- FOR SHARE holds the version's row until this transaction ends: an activation, or a canary share
  -- set, updates that row, so it waits and commits (and bumps the counter) after these rows are
  -- visible; one that committed before this check is seen here and the counter moves now. Without
  -- the lock, an activation committed between this check and this commit would leave a page ranked
  -- without these rows labelled as current.
  SELECT m.active OR m.canary_share > 0 INTO serving FROM "model_version" m WHERE m.id = version_id FOR SHARE;
  PERFORM set_config(checked, 'on', true);
  IF coalesce(serving, false) THEN
    PERFORM "catalog_epoch_bump_once"();
  END IF;
  RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['model_version', 'track', 'license', 'track_analysis', 'track_embedding',
                           'track_segment_embedding'] LOOP
    EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION %I()',
                   t || '_catalog_epoch', t,
                   CASE WHEN t LIKE '%embedding' THEN 'bump_catalog_epoch_if_serving' ELSE 'bump_catalog_epoch' END);
    -- TRUNCATE has no row events (and constraint triggers are row triggers): its own statement trigger.
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I FOR EACH STATEMENT EXECUTE FUNCTION "bump_catalog_epoch"()',
                   t || '_catalog_epoch_truncate', t);
  END LOOP;
END $$;

-- The next license boundary is read on every cached answer: two index probes, not a scan.
CREATE INDEX "license_valid_from_idx" ON "license"("valid_from");
CREATE INDEX "license_valid_to_idx" ON "license"("valid_to");
