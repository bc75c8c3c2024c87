-- A restaurant's contact fields (docs/menu-format.md): address, phone, website. Optional (NULL when
-- unset), validated and normalised by the menu document (shared/menus/contact.py) before the import;
-- the checks below hold the stored form. They travel through the import and the export, appear in the
-- public menu's `restaurant` object (always present, null when unset, so the payload's shape is stable)
-- and in the support summary (`stjarna tenant show`).
--
-- The functions below are replaced whole: each keeps its grants (CREATE OR REPLACE leaves the ACL as
-- it is) and pins search_path as 0006_grants.sql does for every function.

alter table restaurants
  add column address text check (length(address) between 1 and 200),
  add column phone   text check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  add column website text check (length(website) <= 300 and website ~* '^https?://[^/?#[:space:]]+');

-- The public menu reads them as the caller (security invoker): anon and authenticated may select them
-- beside the other columns 0006 grants (RLS still limits the rows to live restaurants).
grant select (address, phone, website) on restaurants to anon, authenticated;

-- 0002's public menu with the contact fields after the hours.
create or replace function stjarna_public_menu(p_restaurant_id uuid) returns json
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select json_build_object(
    'restaurant', json_build_object(
        'id', r.id, 'slug', r.slug, 'name', r.name, 'currency', r.currency, 'locale', r.locale,
        'timezone', r.timezone, 'hours', r.hours,
        'address', r.address, 'phone', r.phone, 'website', r.website),
    'version', r.menu_version,
    'sections', coalesce((
      select json_agg(json_build_object(
               'id', s.id, 'name', s.name, 'description', s.description,
               'items', (
                 select json_agg(json_build_object(
                          'id', i.id, 'name', i.name, 'description', i.description,
                          'priceCents', i.price_cents, 'allergens', to_json(i.allergens),
                          'allergensDeclared', i.allergens_declared, 'tags', to_json(i.tags))
                        order by i.position, i.id)
                   from menu_items i
                  where i.section_id = s.id and i.available))
             order by s.position, s.id)
        from menu_sections s
       where s.restaurant_id = r.id and s.active
         and exists (select 1 from menu_items i where i.section_id = s.id and i.available)
    ), '[]'::json))
  from restaurants r
  where r.id = p_restaurant_id and r.status = 'live'
$$;

-- 0002's import, writing the contact fields too (a document without them clears them: the import
-- replaces the restaurant's settings as it replaces the menu).
create or replace function stjarna_import_menu(p_doc jsonb) returns jsonb
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_r        jsonb := p_doc -> 'restaurant';
  v_id       uuid;
  v_created  boolean;
  v_section  jsonb;
  v_item     jsonb;
  v_sid      uuid;
  v_spos     integer := 0;
  v_ipos     integer;
  v_skeys    text[] := '{}';
  v_ikeys    text[] := '{}';
begin
  select id into v_id from restaurants where slug = v_r ->> 'slug' for update;
  v_created := v_id is null;
  if v_created then
    insert into restaurants (slug, name, currency, locale, timezone, hours, allowed_origins, status,
                             theme_color, greeting, address, phone, website)
    values (v_r ->> 'slug', v_r ->> 'name', v_r ->> 'currency', v_r ->> 'locale', v_r ->> 'timezone',
            v_r -> 'hours', array(select jsonb_array_elements_text(v_r -> 'allowedOrigins')),
            v_r ->> 'status', v_r ->> 'themeColor', v_r ->> 'greeting',
            v_r ->> 'address', v_r ->> 'phone', v_r ->> 'website')
    returning id into v_id;
  else
    update restaurants set
        name = v_r ->> 'name', currency = v_r ->> 'currency', locale = v_r ->> 'locale',
        timezone = v_r ->> 'timezone', hours = v_r -> 'hours',
        allowed_origins = array(select jsonb_array_elements_text(v_r -> 'allowedOrigins')),
        status = v_r ->> 'status', theme_color = v_r ->> 'themeColor', greeting = v_r ->> 'greeting',
        address = v_r ->> 'address', phone = v_r ->> 'phone', website = v_r ->> 'website'
     where id = v_id
       and (name, currency, locale, timezone, hours, allowed_origins, status, theme_color, greeting,
            address, phone, website)
           is distinct from
           (v_r ->> 'name', v_r ->> 'currency', v_r ->> 'locale', v_r ->> 'timezone', v_r -> 'hours',
            array(select jsonb_array_elements_text(v_r -> 'allowedOrigins')), v_r ->> 'status',
            v_r ->> 'themeColor', v_r ->> 'greeting', v_r ->> 'address', v_r ->> 'phone', v_r ->> 'website');
  end if;

  for v_section in select * from jsonb_array_elements(p_doc -> 'sections') loop
    v_skeys := v_skeys || (v_section ->> 'key');
    insert into menu_sections as s (restaurant_id, key, name, description, active, position)
    values (v_id, v_section ->> 'key', v_section ->> 'name', v_section ->> 'description',
            (v_section ->> 'active')::boolean, v_spos)
    on conflict (restaurant_id, key) do update
      set name = excluded.name, description = excluded.description, active = excluded.active,
          position = excluded.position
      where (s.name, s.description, s.active, s.position)
            is distinct from (excluded.name, excluded.description, excluded.active, excluded.position);
    select id into v_sid from menu_sections where restaurant_id = v_id and key = v_section ->> 'key';

    v_ipos := 0;
    for v_item in select * from jsonb_array_elements(v_section -> 'items') loop
      v_ikeys := v_ikeys || (v_item ->> 'key');
      insert into menu_items as i (restaurant_id, section_id, key, name, description, price_cents,
                                   allergens, allergens_declared, tags, available, position)
      values (v_id, v_sid, v_item ->> 'key', v_item ->> 'name', v_item ->> 'description',
              (v_item ->> 'priceCents')::integer,
              array(select jsonb_array_elements_text(v_item -> 'allergens')),
              (v_item ->> 'allergensDeclared')::boolean,
              array(select jsonb_array_elements_text(v_item -> 'tags')),
              (v_item ->> 'available')::boolean, v_ipos)
      on conflict (restaurant_id, key) do update
        set section_id = excluded.section_id, name = excluded.name, description = excluded.description,
            price_cents = excluded.price_cents, allergens = excluded.allergens,
            allergens_declared = excluded.allergens_declared, tags = excluded.tags,
            available = excluded.available, position = excluded.position
        where (i.section_id, i.name, i.description, i.price_cents, i.allergens, i.allergens_declared,
               i.tags, i.available, i.position)
              is distinct from
              (excluded.section_id, excluded.name, excluded.description, excluded.price_cents,
               excluded.allergens, excluded.allergens_declared, excluded.tags, excluded.available,
               excluded.position);
      v_ipos := v_ipos + 1;
    end loop;
    v_spos := v_spos + 1;
  end loop;

  delete from menu_items where restaurant_id = v_id and key <> all (v_ikeys);
  delete from menu_sections where restaurant_id = v_id and key <> all (v_skeys);

  return jsonb_build_object(
    'restaurantId', v_id, 'slug', v_r ->> 'slug', 'created', v_created,
    'version', (select menu_version from restaurants where id = v_id),
    'sections', cardinality(v_skeys), 'items', cardinality(v_ikeys));
end
$$;

-- 0002's export, with the contact fields after the greeting (the document's field order).
create or replace function stjarna_export_menu(p_ref text) returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select jsonb_build_object(
    'formatVersion', 1,
    'restaurant', jsonb_build_object(
        'slug', r.slug, 'name', r.name, 'currency', r.currency, 'locale', r.locale,
        'timezone', r.timezone, 'hours', r.hours, 'allowedOrigins', to_jsonb(r.allowed_origins),
        'status', r.status, 'themeColor', r.theme_color, 'greeting', r.greeting,
        'address', r.address, 'phone', r.phone, 'website', r.website),
    'sections', coalesce((
      select jsonb_agg(jsonb_build_object(
               'key', s.key, 'name', s.name, 'description', s.description, 'active', s.active,
               'items', coalesce((
                 select jsonb_agg(jsonb_build_object(
                          'key', i.key, 'name', i.name, 'description', i.description,
                          'priceCents', i.price_cents, 'allergens', to_jsonb(i.allergens),
                          'allergensDeclared', i.allergens_declared, 'tags', to_jsonb(i.tags),
                          'available', i.available)
                        order by i.position, i.id)
                   from menu_items i where i.section_id = s.id), '[]'::jsonb))
             order by s.position, s.id)
        from menu_sections s where s.restaurant_id = r.id), '[]'::jsonb))
  from restaurants r
  where r.id = stjarna_resolve(p_ref)
$$;

-- 0005's support summary, with the contact fields after the greeting.
create or replace function stjarna_tenant_summary(p_ref text, p_now timestamptz default now(),
                                                  p_audit_limit integer default 10)
returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select jsonb_build_object(
    'id', r.id, 'slug', r.slug, 'name', r.name, 'status', r.status, 'plan', r.plan,
    'currency', r.currency, 'locale', r.locale, 'timezone', r.timezone, 'hours', r.hours,
    'allowedOrigins', to_jsonb(r.allowed_origins), 'themeColor', r.theme_color, 'greeting', r.greeting,
    'address', r.address, 'phone', r.phone, 'website', r.website,
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
