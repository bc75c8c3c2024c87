-- Grants as they must be on a real Supabase project, whatever the database's defaults.
--
-- A Supabase project's default privileges grant ALL on every new table, sequence and function in
-- schema public directly to anon, authenticated and service_role. Migrations 0001-0005 revoked
-- EXECUTE only from PUBLIC (0005 also from anon/authenticated), so on Supabase anon could call every
-- order, admin-key, audit, import, erase and expire function and had DML on every table, held back
-- by row-level security alone. This migration closes that by catalog, not by list, so it also covers
-- functions added before it (and states once, below, what anon and authenticated may do):
--   anon, authenticated: EXECUTE on the public-menu functions only (stjarna_resolve,
--     stjarna_public_menu, stjarna_ping); SELECT on the columns stjarna_public_menu and the RLS
--     policies read, of restaurants, menu_sections and menu_items (RLS still limits the rows to
--     live restaurants' published menus); nothing else.
--   service_role (the backend, through PostgREST): EXECUTE on every function, ALL on every table.
-- Objects created later by the role that runs migrations are granted to nobody but service_role.
-- Every function gets a fixed search_path. stjarna_opening_ranges refuses a day count above 366.
-- docs/security.md has the grant matrix; tests/contract/test_grants.py checks it from the catalog.

-- The opening ranges, at most a year ahead: the day count was unbounded (2,000,000 days cost 1.4 s
-- of CPU per call). Its callers (stjarna_opening_state) ask for the default 8. Same signature and
-- result as in 0003; refuses a count outside 0..366 with 22023 (invalid_parameter_value).
create or replace function stjarna_opening_ranges(p_hours jsonb, p_timezone text, p_from timestamptz,
                                                  p_days integer default 8)
returns table (opens_at timestamptz, closes_at timestamptz)
language plpgsql stable
set search_path = pg_catalog, public, pg_temp
as $$
begin
  if p_days is null or p_days not between 0 and 366 then
    raise exception 'p_days must be between 0 and 366, not %', coalesce(p_days::text, 'null')
      using errcode = '22023';
  end if;
  return query
    with days as (
      select d::date as day
        from generate_series((p_from at time zone p_timezone)::date - 1,
                             (p_from at time zone p_timezone)::date + p_days, interval '1 day') d
    ), ranges as (
      select day, (r ->> 0)::time as starts, (r ->> 1)::time as ends
        from days, jsonb_array_elements(coalesce(p_hours -> lower(to_char(day, 'Dy')), '[]'::jsonb)) r
    )
    select (day + starts) at time zone p_timezone,
           (day + ends + case when ends <= starts then interval '1 day' else interval '0' end)
             at time zone p_timezone
      from ranges;
end
$$;

-- Tables and sequences: nothing for the API roles, then back only the columns the public menu reads.
revoke all on all tables in schema public from public, anon, authenticated;
revoke all on all sequences in schema public from public, anon, authenticated;
grant select (id, slug, name, currency, locale, timezone, hours, status, menu_version)
  on restaurants to anon, authenticated;
grant select (id, restaurant_id, name, description, active, position)
  on menu_sections to anon, authenticated;
grant select (id, restaurant_id, section_id, name, description, price_cents, allergens, allergens_declared,
              tags, available, position)
  on menu_items to anon, authenticated;
grant all on all tables in schema public to service_role;
grant usage, select on all sequences in schema public to service_role;

-- Functions: every one of ours (not an extension's) loses EXECUTE for PUBLIC, anon and
-- authenticated, is granted to service_role, and gets a fixed search_path (pg_temp last, so a
-- temporary object cannot shadow ours; Supabase's linter flags a function without one).
do $$
declare
  f regprocedure;
begin
  for f in
    select p.oid::regprocedure
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
     where n.nspname = 'public' and pg_get_userbyid(p.proowner) = current_user
       and not exists (select 1 from pg_depend d
                        where d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e')
  loop
    execute format('revoke all on function %s from public, anon, authenticated', f);
    execute format('grant execute on function %s to service_role', f);
    execute format('alter function %s set search_path = pg_catalog, public, pg_temp', f);
  end loop;
end
$$;

-- The public menu, for a browser holding the project's anon key (security invoker: RLS applies).
-- Not stjarna_restaurant_head: it carries the billing plan and the CORS allowlist, which the API reads
-- as service_role.
grant execute on function stjarna_resolve(text), stjarna_public_menu(uuid), stjarna_ping()
  to anon, authenticated;

-- Later objects created by this role (Supabase: postgres): not granted to the API roles. A
-- per-schema default cannot take back the global default EXECUTE for PUBLIC, hence the global one.
alter default privileges in schema public revoke all on tables from public, anon, authenticated;
alter default privileges in schema public revoke all on sequences from public, anon, authenticated;
alter default privileges in schema public revoke all on functions from public, anon, authenticated;
alter default privileges revoke execute on functions from public;
alter default privileges in schema public grant all on tables to service_role;
alter default privileges in schema public grant usage, select on sequences to service_role;
alter default privileges in schema public grant execute on functions to service_role;
