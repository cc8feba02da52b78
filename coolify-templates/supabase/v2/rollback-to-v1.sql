-- The inverse of upgrade-from-v1.sql, for an upgrade that fails after its migration
-- committed: puts back what v1's init files (v1/docker-compose.yaml 99-roles.sql,
-- 99-jwt.sql) and the image's migrate.sh gave the database. Run as supabase_admin.
-- psql variables: pgpass (POSTGRES_PASSWORD), jwt_secret (JWT_SECRET).
\set ON_ERROR_STOP on

ALTER DATABASE postgres SET "app.settings.jwt_secret" TO :'jwt_secret';

-- v1: one password, POSTGRES_PASSWORD, for every service login role and supabase_admin.
ALTER USER authenticator WITH PASSWORD :'pgpass';
ALTER USER pgbouncer WITH PASSWORD :'pgpass';
ALTER USER supabase_auth_admin WITH PASSWORD :'pgpass';
ALTER USER supabase_functions_admin WITH PASSWORD :'pgpass';
ALTER USER supabase_storage_admin WITH PASSWORD :'pgpass';
ALTER USER supabase_admin WITH PASSWORD :'pgpass';
