-- The menu's logic in one place: resolve a restaurant, assemble its public menu in one round trip,
-- import and export a whole menu atomically. Called through PostgREST RPC by the Supabase adapter and
-- with plain SQL by the Postgres adapter (shared/store/).

-- A restaurant id (UUID) or slug -> id, whatever the status. NULL when unknown.
create or replace function stjarna_resolve(p_ref text) returns uuid
language plpgsql stable as $$
begin
  if p_ref ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then
    return (select id from restaurants where id = p_ref::uuid);
  end if;
  return (select id from restaurants where slug = lower(p_ref));
end
$$;

-- What every public request needs before the menu itself: identity, version, CORS allowlist,
-- widget settings. Live restaurants only; NULL otherwise. Security invoker: RLS applies to anon.
create or replace function stjarna_restaurant_head(p_ref text) returns jsonb
language sql stable as $$
  select jsonb_build_object(
           'id', r.id, 'slug', r.slug, 'name', r.name, 'version', r.menu_version,
           'currency', r.currency, 'locale', r.locale, 'timezone', r.timezone,
           'allowedOrigins', to_jsonb(r.allowed_origins),
           'themeColor', r.theme_color, 'greeting', r.greeting, 'plan', r.plan)
    from restaurants r
   where r.id = stjarna_resolve(p_ref) and r.status = 'live'
$$;

-- The public menu payload: restaurant info with weekly hours, active sections with their available
-- items. Deterministic for a given menu version (the ETag depends on it): json (not jsonb) keeps the
-- keys in the order written here, and every aggregate is ordered. json is also ≈ 2.5x faster to
-- build than jsonb for a large menu (bench/README.md). NULL unless live.
create or replace function stjarna_public_menu(p_restaurant_id uuid) returns json
language sql stable as $$
  select json_build_object(
    'restaurant', json_build_object(
        'id', r.id, 'slug', r.slug, 'name', r.name, 'currency', r.currency, 'locale', r.locale,
        'timezone', r.timezone, 'hours', r.hours),
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

-- Create or update a restaurant from a validated menu document (docs/menu-format.md) and replace
-- its menu. One function call is one transaction: all of it happens or none. Rows whose content
-- is unchanged are not written, so re-importing the same document keeps the menu version.
create or replace function stjarna_import_menu(p_doc jsonb) returns jsonb
language plpgsql as $$
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
                             theme_color, greeting)
    values (v_r ->> 'slug', v_r ->> 'name', v_r ->> 'currency', v_r ->> 'locale', v_r ->> 'timezone',
            v_r -> 'hours', array(select jsonb_array_elements_text(v_r -> 'allowedOrigins')),
            v_r ->> 'status', v_r ->> 'themeColor', v_r ->> 'greeting')
    returning id into v_id;
  else
    update restaurants set
        name = v_r ->> 'name', currency = v_r ->> 'currency', locale = v_r ->> 'locale',
        timezone = v_r ->> 'timezone', hours = v_r -> 'hours',
        allowed_origins = array(select jsonb_array_elements_text(v_r -> 'allowedOrigins')),
        status = v_r ->> 'status', theme_color = v_r ->> 'themeColor', greeting = v_r ->> 'greeting'
     where id = v_id
       and (name, currency, locale, timezone, hours, allowed_origins, status, theme_color, greeting)
           is distinct from
           (v_r ->> 'name', v_r ->> 'currency', v_r ->> 'locale', v_r ->> 'timezone', v_r -> 'hours',
            array(select jsonb_array_elements_text(v_r -> 'allowedOrigins')), v_r ->> 'status',
            v_r ->> 'themeColor', v_r ->> 'greeting');
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

-- The whole menu of any restaurant (any status) in the import format, or NULL.
create or replace function stjarna_export_menu(p_ref text) returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'formatVersion', 1,
    'restaurant', jsonb_build_object(
        'slug', r.slug, 'name', r.name, 'currency', r.currency, 'locale', r.locale,
        'timezone', r.timezone, 'hours', r.hours, 'allowedOrigins', to_jsonb(r.allowed_origins),
        'status', r.status, 'themeColor', r.theme_color, 'greeting', r.greeting),
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

create or replace function stjarna_ping() returns integer language sql stable as $$ select 1 $$;

revoke execute on function stjarna_import_menu(jsonb), stjarna_export_menu(text) from public;
grant execute on function stjarna_import_menu(jsonb), stjarna_export_menu(text) to service_role;
grant execute on function stjarna_resolve(text), stjarna_restaurant_head(text),
  stjarna_public_menu(uuid), stjarna_ping() to anon, authenticated, service_role;
