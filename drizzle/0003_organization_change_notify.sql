-- Every process keeps a read cache of organizations' projects and members
-- (src/cache/read-cache.ts). Any write to them, from any process or by hand in
-- psql, tells every listener which organization changed. Postgres folds identical
-- notifications within one transaction, so a bulk write sends one per organization.
CREATE FUNCTION supaplane_notify_organization_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    PERFORM pg_notify('supaplane_organization_changed', to_jsonb(OLD) ->> TG_ARGV[0]);
  END IF;
  IF TG_OP <> 'DELETE' THEN
    PERFORM pg_notify('supaplane_organization_changed', to_jsonb(NEW) ->> TG_ARGV[0]);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER projects_notify_organization_change
AFTER INSERT OR UPDATE OR DELETE ON projects
FOR EACH ROW EXECUTE FUNCTION supaplane_notify_organization_change('organization_id');
--> statement-breakpoint
CREATE TRIGGER memberships_notify_organization_change
AFTER INSERT OR UPDATE OR DELETE ON memberships
FOR EACH ROW EXECUTE FUNCTION supaplane_notify_organization_change('organization_id');
--> statement-breakpoint
CREATE TRIGGER organizations_notify_organization_change
AFTER INSERT OR UPDATE OR DELETE ON organizations
FOR EACH ROW EXECUTE FUNCTION supaplane_notify_organization_change('id');
