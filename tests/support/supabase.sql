-- A database as a new Supabase project is before our migrations run (tests/support/supabase.py).
-- What Supabase's initial schema sets up for its API, in our own words: the three API roles, the
-- `authenticator` role PostgREST logs in as and switches from, usage on schema public, and the
-- default privileges that grant ALL on every new table, sequence and function in public *directly*
-- to anon, authenticated and service_role (a `revoke ... from public` leaves those in place).
-- Roles belong to the cluster, so each is created only where missing; default privileges belong to
-- the database and are copied with it when it serves as a template.

do $$
begin
  if not exists (select 1 from pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticated') then
    create role authenticated nologin noinherit;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'service_role') then
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select 1 from pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$$;

-- PostgREST logs in as authenticator and does `set local role` to the role of the request's JWT.
grant anon, authenticated, service_role to authenticator;

grant usage on schema public to anon, authenticated, service_role;

-- For the role that runs this file (Supabase's `postgres`, which owns what migrations create).
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
