-- SQL the move of a project from template v1 to v2 must run, as supabase_admin, on
-- the project's database (init files never run again on an existing volume).
-- psql variables: admin_pass, authenticator_pass, auth_pass, storage_pass,
-- pgbouncer_pass (the new v2 secrets), e.g. psql -v admin_pass=... -f upgrade-from-v1.sql.
\set ON_ERROR_STOP on

-- C1: the JWT signing secret leaves SQL. v1 set it in 99-jwt.sql and PostgREST set
-- it per request (PGRST_APP_SETTINGS_JWT_SECRET, gone from v2's compose).
ALTER DATABASE postgres RESET "app.settings.jwt_secret";
-- Any role-level copy (none in v1, but a user may have set one).
DO $$
DECLARE r record;
BEGIN
  FOR r IN
    SELECT rolname FROM pg_db_role_setting s JOIN pg_roles ro ON ro.oid = s.setrole
    WHERE array_to_string(s.setconfig, ',') LIKE '%app.settings.jwt_secret=%'
  LOOP
    EXECUTE format('ALTER ROLE %I RESET "app.settings.jwt_secret"', r.rolname);
  END LOOP;
END
$$;

-- C3: one password per login role (v1 gave them all POSTGRES_PASSWORD). The
-- postgres role keeps the user's password; supabase_functions_admin logs in
-- nowhere in v2. pgbouncer is v2's pooler auth user (supabase-pooler): its own
-- password, and USAGE on its schema instead of owning it (as v2's roles.sql).
ALTER USER authenticator WITH PASSWORD :'authenticator_pass';
ALTER USER supabase_auth_admin WITH PASSWORD :'auth_pass';
ALTER USER supabase_storage_admin WITH PASSWORD :'storage_pass';
ALTER USER pgbouncer WITH PASSWORD :'pgbouncer_pass';
ALTER SCHEMA pgbouncer OWNER TO supabase_admin;
GRANT USAGE ON SCHEMA pgbouncer TO pgbouncer;
ALTER USER supabase_functions_admin WITH PASSWORD NULL;
ALTER USER supabase_admin WITH PASSWORD :'admin_pass';

-- Not SQL, for the upgrade job: the JWT secret stays valid (it signs the project's
-- keys), so rotate it if the project ran v1 with untrusted SQL users. Objects
-- created through v1's postgres-meta belong to supabase_admin (C2); reassigning
-- them to postgres is a per-project decision, listed by:
--   SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
--   WHERE n.nspname = 'public' AND pg_get_userbyid(c.relowner) = 'supabase_admin';
