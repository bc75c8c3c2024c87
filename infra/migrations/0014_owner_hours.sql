-- The owner's hours override (issue #15; docs/console.md "Opening hours", docs/admin.md): an owner (or a
-- platform key) replaces its restaurant's weekly opening hours from the console, e.g. closing early today,
-- a holiday, new summer hours. The hours are validated by the caller with the menu document's own
-- validation (shared/menus/document.py); the update bumps the menu version (restaurants_touch), so the
-- widget's menu and config, chat, the pickup slots and the order transaction all see the new hours
-- within the menu cache bound. Audited as 'tenant.hours' with the hours before and after.

-- What the console shows of a restaurant (any status), or null: 0010's, with the hours and their zone.
create or replace function stjarna_staff_restaurant(p_id uuid)
returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select jsonb_build_object('id', r.id, 'slug', r.slug, 'name', r.name, 'status', r.status,
                            'allowedOrigins', to_jsonb(r.allowed_origins),
                            'timezone', r.timezone, 'hours', r.hours)
    from restaurants r
   where r.id = p_id
$$;

-- Replace a restaurant's weekly hours (the menu format's `hours` object); null for an unknown restaurant.
create or replace function stjarna_set_hours(p_restaurant_id uuid, p_hours jsonb, p_actor text)
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_before jsonb;
begin
  if jsonb_typeof(p_hours) is distinct from 'object' then
    raise exception 'stjarna_set_hours: p_hours must be a JSON object' using errcode = '22023';
  end if;
  select hours into v_before from restaurants where id = p_restaurant_id for update;
  if not found then
    return null;
  end if;
  update restaurants set hours = p_hours where id = p_restaurant_id;
  insert into audit_log (actor, action, restaurant_id, details)
  values (p_actor, 'tenant.hours', p_restaurant_id, jsonb_build_object('before', v_before, 'hours', p_hours));
  return stjarna_staff_restaurant(p_restaurant_id);
end
$$;

revoke execute on function stjarna_set_hours(uuid, jsonb, text) from public, anon, authenticated;
grant execute on function stjarna_set_hours(uuid, jsonb, text) to service_role;
