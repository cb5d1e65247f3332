-- issue 15: embeddings written under a version that serves nobody (a re-embed's pending version)
-- cannot change any suggestBgm page, so they no longer move the catalog counter of
-- 20261217000000_catalog_epoch: the response cache stays useful through a re-embed, the largest
-- write load the catalog sees. Embeddings of the active version or of a running canary still do.
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
    UPDATE "catalog_epoch" SET "value" = "value" + 1;
    PERFORM set_config('bgm.catalog_epoch_bumped', 'on', true);
  END IF;
  RETURN NULL;
END $$;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['track_embedding', 'track_segment_embedding'] LOOP
    EXECUTE format('DROP TRIGGER %I ON %I', t || '_catalog_epoch', t);
    EXECUTE format('CREATE CONSTRAINT TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I
                    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "bump_catalog_epoch_if_serving"()',
                   t || '_catalog_epoch', t);
  END LOOP;
END $$;
