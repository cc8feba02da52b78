-- The inverse of upgrade-from-v1.sql, for an upgrade that fails after its migration
-- may have committed: puts back what v1's init files (v1/docker-compose.yaml 99-roles.sql,
-- 99-jwt.sql) and the image's migrate.sh gave the database. Run as supabase_admin.
-- psql variables: pgpass (POSTGRES_PASSWORD), jwt_secret (JWT_SECRET).
\set ON_ERROR_STOP on

ALTER DATABASE postgres SET "app.settings.jwt_secret" TO :'jwt_secret';

-- v1: one password, POSTGRES_PASSWORD, for every service login role and supabase_admin.
-- Roles that are missing are skipped: a rollback must not fail where the upgrade did.
SELECT format('ALTER ROLE %I WITH PASSWORD %L', r.rolname, :'pgpass')
FROM pg_roles r
WHERE r.rolname IN ('authenticator', 'pgbouncer', 'supabase_auth_admin',
                    'supabase_functions_admin', 'supabase_storage_admin', 'supabase_admin')
\gexec

-- The image gave pgbouncer its own schema (pgbouncer_auth_schema.sql); v2 took it.
SELECT 'ALTER SCHEMA pgbouncer OWNER TO pgbouncer'
WHERE EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = 'pgbouncer')
  AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pgbouncer')
\gexec
