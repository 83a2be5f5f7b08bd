-- Instances cache functions, versions, aliases, Function URLs and policies: every committed change to them tells all
-- instances to forget.
CREATE FUNCTION thaw_notify_metadata_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('thaw_metadata', TG_TABLE_NAME);
  RETURN NULL;
END;
$$;

CREATE TRIGGER functions_changed AFTER INSERT OR UPDATE OR DELETE ON functions
  FOR EACH STATEMENT EXECUTE FUNCTION thaw_notify_metadata_change();
CREATE TRIGGER versions_changed AFTER INSERT OR UPDATE OR DELETE ON versions
  FOR EACH STATEMENT EXECUTE FUNCTION thaw_notify_metadata_change();
CREATE TRIGGER aliases_changed AFTER INSERT OR UPDATE OR DELETE ON aliases
  FOR EACH STATEMENT EXECUTE FUNCTION thaw_notify_metadata_change();
CREATE TRIGGER function_urls_changed AFTER INSERT OR UPDATE OR DELETE ON function_urls
  FOR EACH STATEMENT EXECUTE FUNCTION thaw_notify_metadata_change();
CREATE TRIGGER permissions_changed AFTER INSERT OR UPDATE OR DELETE ON permissions
  FOR EACH STATEMENT EXECUTE FUNCTION thaw_notify_metadata_change();
