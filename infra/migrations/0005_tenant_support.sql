-- Support: tenant lookup and cache purge (shared/tenants/support.py; docs/operations.md "Support").
-- Unlike the public functions these see every restaurant, draft and suspended ones included: support
-- needs them. Service role only.

-- One restaurant as support sees it, or NULL: settings, opening state at p_now, menu counts, today's
-- orders (the local day in the restaurant's timezone that contains p_now) and the newest audit rows.
-- restaurants.updated_at moves with every menu version bump (stjarna_restaurant_touch), so it is the
-- time of the last menu change.
create or replace function stjarna_tenant_summary(p_ref text, p_now timestamptz default now(),
                                                  p_audit_limit integer default 10)
returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'id', r.id, 'slug', r.slug, 'name', r.name, 'status', r.status, 'plan', r.plan,
    'currency', r.currency, 'locale', r.locale, 'timezone', r.timezone, 'hours', r.hours,
    'allowedOrigins', to_jsonb(r.allowed_origins), 'themeColor', r.theme_color, 'greeting', r.greeting,
    'createdAt', r.created_at,
    'opening', stjarna_opening_state(r.hours, r.timezone, p_now),
    'menu', jsonb_build_object(
      'version', r.menu_version, 'lastChangeAt', r.updated_at,
      'sections', s.sections, 'activeSections', s.active,
      'items', i.items, 'available', i.available, 'published', i.published,
      'vegan', i.vegan, 'undeclaredAllergens', i.undeclared),
    'ordersToday', jsonb_build_object(
      'since', d.day_start, 'until', d.day_end,
      'total', (select count(*) from orders o
                 where o.restaurant_id = r.id and o.placed_at >= d.day_start and o.placed_at < d.day_end),
      'byStatus', coalesce((select jsonb_object_agg(x.status, x.n)
                              from (select o.status, count(*) as n from orders o
                                     where o.restaurant_id = r.id
                                       and o.placed_at >= d.day_start and o.placed_at < d.day_end
                                     group by o.status) x), '{}'::jsonb)),
    'audit', stjarna_audit_log(r.id, p_audit_limit))
  from restaurants r
  cross join lateral (
    select count(*) as sections, count(*) filter (where ms.active) as active
      from menu_sections ms where ms.restaurant_id = r.id) s
  cross join lateral (
    select count(*) as items,
           count(*) filter (where mi.available) as available,
           count(*) filter (where mi.available and ms.active and r.status = 'live') as published,
           count(*) filter (where 'vegan' = any (mi.tags)) as vegan,
           count(*) filter (where not mi.allergens_declared) as undeclared
      from menu_items mi join menu_sections ms on ms.id = mi.section_id
     where mi.restaurant_id = r.id) i
  cross join lateral (
    select date_trunc('day', p_now at time zone r.timezone) at time zone r.timezone as day_start,
           (date_trunc('day', p_now at time zone r.timezone) + interval '1 day') at time zone r.timezone
             as day_end) d
  where r.id = stjarna_resolve(p_ref)
$$;

-- Every item of a restaurant (any status), with what decides whether diners see it: the restaurant's
-- status, the section's `active`, the item's `available`, tags and allergens. NULL when unknown.
create or replace function stjarna_tenant_items(p_ref text) returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'restaurant', jsonb_build_object('id', r.id, 'slug', r.slug, 'name', r.name, 'status', r.status,
                                     'currency', r.currency, 'menuVersion', r.menu_version),
    'items', coalesce((
      select jsonb_agg(jsonb_build_object(
               'id', mi.id, 'key', mi.key, 'name', mi.name, 'description', mi.description,
               'section', ms.key, 'sectionName', ms.name, 'sectionActive', ms.active,
               'priceCents', mi.price_cents, 'allergens', to_jsonb(mi.allergens),
               'allergensDeclared', mi.allergens_declared, 'tags', to_jsonb(mi.tags),
               'available', mi.available)
             order by ms.position, ms.id, mi.position, mi.id)
        from menu_items mi join menu_sections ms on ms.id = mi.section_id
       where mi.restaurant_id = r.id), '[]'::jsonb))
  from restaurants r
  where r.id = stjarna_resolve(p_ref)
$$;

-- Force a new menu version: every cache keyed by it (each instance's local copy on its next
-- revalidation, the KV entry, the ETag) moves to the new version at once. Writes an audit row.
-- Returns {restaurantId, slug, status, previousVersion, version, at}, or NULL when unknown.
create or replace function stjarna_cache_purge(p_ref text, p_actor text, p_now timestamptz default now())
returns jsonb
language plpgsql volatile as $$
declare
  v_r       restaurants%rowtype;
  v_version bigint;
begin
  select * into v_r from restaurants where id = stjarna_resolve(p_ref) for update;
  if not found then
    return null;
  end if;
  update restaurants set menu_version = menu_version + 1 where id = v_r.id
  returning menu_version into v_version;
  insert into audit_log (at, actor, action, restaurant_id, details)
  values (p_now, p_actor, 'cache.purge', v_r.id,
          jsonb_build_object('slug', v_r.slug, 'from', v_r.menu_version, 'to', v_version));
  return jsonb_build_object('restaurantId', v_r.id, 'slug', v_r.slug, 'status', v_r.status,
                            'previousVersion', v_r.menu_version, 'version', v_version, 'at', p_now);
end
$$;

-- Also from anon and authenticated by name: on Supabase, default privileges grant them EXECUTE on new
-- functions directly, which a revoke from public alone would leave in place.
revoke execute on function stjarna_tenant_summary(text, timestamptz, integer), stjarna_tenant_items(text),
  stjarna_cache_purge(text, text, timestamptz) from public, anon, authenticated;
grant execute on function stjarna_tenant_summary(text, timestamptz, integer), stjarna_tenant_items(text),
  stjarna_cache_purge(text, text, timestamptz) to service_role;
