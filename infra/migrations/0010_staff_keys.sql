-- Staff keys per restaurant (issue #15; docs/admin.md, docs/console.md "Roles"). A key has a role:
-- 'platform' (every restaurant: the keys there were before), or 'owner' / 'kitchen' of one restaurant.
-- A scoped key goes with its restaurant (on delete cascade). Active keys at once: 2 platform keys,
-- and per restaurant 2 owner keys and 20 kitchen keys (one per tablet, with room to rotate). Audit rows of
-- a staff key carry its restaurant and, in details, its role (a platform key's rows are as before).
-- A key is found by its HMAC (the unique index on key_hash), for the current and the previous pepper:
-- verifying no longer reads every active key of the platform.
alter table admin_keys
  add column role text not null default 'platform' check (role in ('platform', 'owner', 'kitchen')),
  add column restaurant_id uuid references restaurants (id) on delete cascade,
  add constraint admin_keys_scope check ((role = 'platform') = (restaurant_id is null));
create index admin_keys_restaurant_idx on admin_keys (restaurant_id, created_at) where restaurant_id is not null;
-- replaced by stjarna_admin_key_find below (it read every active key of the platform on each check)
drop function stjarna_admin_keys_active(timestamptz);

create or replace function stjarna_admin_key_json(k admin_keys, p_now timestamptz) returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select jsonb_build_object('id', k.id, 'name', k.name, 'createdAt', k.created_at,
                            'lastUsedAt', k.last_used_at, 'expiresAt', k.expires_at, 'revokedAt', k.revoked_at,
                            'active', k.revoked_at is null and (k.expires_at is null or k.expires_at > p_now),
                            'role', k.role, 'restaurantId', k.restaurant_id,
                            'restaurant', (select r.slug from restaurants r where r.id = k.restaurant_id))
$$;

-- The active key whose hash is p_hash (the current pepper's) or p_previous (the previous pepper's,
-- during a rotation), with its hash (so the caller knows which matched), or null: index lookups.
create or replace function stjarna_admin_key_find(p_hash text, p_previous text default null,
                                                  p_now timestamptz default now())
returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select stjarna_admin_key_json(k, p_now) || jsonb_build_object('hash', k.key_hash)
    from admin_keys k
   where (k.key_hash = p_hash or k.key_hash = p_previous)
     and k.revoked_at is null and (k.expires_at is null or k.expires_at > p_now)
   order by k.key_hash = p_hash desc
   limit 1
$$;

-- Every key, or (p_restaurant_id) one restaurant's, oldest first; never the hash.
drop function stjarna_admin_keys(timestamptz);
create function stjarna_admin_keys(p_now timestamptz default now(), p_restaurant_id uuid default null)
returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select coalesce(jsonb_agg(stjarna_admin_key_json(k, p_now) order by k.created_at, k.id), '[]'::jsonb)
    from admin_keys k
   where p_restaurant_id is null or k.restaurant_id = p_restaurant_id
$$;

drop function stjarna_admin_key_create(text, text, timestamptz, text, timestamptz);
create function stjarna_admin_key_create(p_name text, p_hash text, p_expires_at timestamptz, p_actor text,
                                         p_now timestamptz default now(), p_role text default 'platform',
                                         p_restaurant_id uuid default null)
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_key   admin_keys%rowtype;
  v_limit integer := case p_role when 'platform' then 2 when 'owner' then 2 when 'kitchen' then 20 end;
begin
  if v_limit is null or (p_role = 'platform') <> (p_restaurant_id is null) then
    return jsonb_build_object('outcome', 'invalid_scope');
  end if;
  if p_restaurant_id is not null and not exists (select 1 from restaurants where id = p_restaurant_id) then
    return jsonb_build_object('outcome', 'restaurant_not_found');
  end if;
  -- two concurrent creates for one scope: one at a time
  perform pg_advisory_xact_lock(hashtext('stjarna_admin_keys:' || coalesce(p_restaurant_id::text, '')));
  if (select count(*) from admin_keys
       where role = p_role and restaurant_id is not distinct from p_restaurant_id
         and revoked_at is null and (expires_at is null or expires_at > p_now)) >= v_limit then
    return jsonb_build_object('outcome', 'too_many', 'limit', v_limit, 'role', p_role);
  end if;
  insert into admin_keys (name, key_hash, created_at, expires_at, role, restaurant_id)
  values (p_name, p_hash, p_now, p_expires_at, p_role, p_restaurant_id) returning * into v_key;
  insert into audit_log (at, actor, action, restaurant_id, details)
  values (p_now, p_actor, 'admin_key.create', p_restaurant_id,
          jsonb_strip_nulls(jsonb_build_object('keyId', v_key.id, 'name', p_name, 'role', nullif(p_role, 'platform'))));
  return jsonb_build_object('outcome', 'created', 'key', stjarna_admin_key_json(v_key, p_now));
end
$$;

-- Revoke a key; with p_restaurant_id only that restaurant's keys, with p_role only keys of that role
-- (an owner revokes its kitchen keys): any other key is 'not_found', as if it did not exist.
drop function stjarna_admin_key_revoke(uuid, text, timestamptz);
create function stjarna_admin_key_revoke(p_id uuid, p_actor text, p_now timestamptz default now(),
                                         p_restaurant_id uuid default null, p_role text default null)
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_key admin_keys%rowtype;
begin
  update admin_keys set revoked_at = coalesce(revoked_at, p_now)
   where id = p_id
     and (p_restaurant_id is null or restaurant_id = p_restaurant_id)
     and (p_role is null or role = p_role)
  returning * into v_key;
  if not found then
    return jsonb_build_object('outcome', 'not_found');
  end if;
  insert into audit_log (at, actor, action, restaurant_id, details)
  values (p_now, p_actor, 'admin_key.revoke', v_key.restaurant_id,
          jsonb_strip_nulls(jsonb_build_object('keyId', p_id, 'name', v_key.name, 'role', nullif(v_key.role, 'platform'))));
  return jsonb_build_object('outcome', 'revoked', 'key', stjarna_admin_key_json(v_key, p_now));
end
$$;

-- A console session checks its key on every request (a revoked or expired key ends its sessions at
-- once): one primary-key read, the key's record if it is active, else null.
create or replace function stjarna_admin_key_active(p_id uuid, p_now timestamptz default now())
returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select stjarna_admin_key_json(k, p_now)
    from admin_keys k
   where k.id = p_id and k.revoked_at is null and (k.expires_at is null or k.expires_at > p_now)
$$;

-- What the console shows of a restaurant (any status), or null.
create or replace function stjarna_staff_restaurant(p_id uuid)
returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select jsonb_build_object('id', r.id, 'slug', r.slug, 'name', r.name, 'status', r.status,
                            'allowedOrigins', to_jsonb(r.allowed_origins))
    from restaurants r
   where r.id = p_id
$$;

-- An owner sets its restaurant's allowed origins (validated by the caller, shared/tenants/origins.py);
-- the update bumps the menu version (restaurants_touch), so every cached head sees it. Audited.
create or replace function stjarna_set_allowed_origins(p_restaurant_id uuid, p_origins jsonb, p_actor text)
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_before text[];
begin
  select allowed_origins into v_before from restaurants where id = p_restaurant_id for update;
  if not found then
    return null;
  end if;
  update restaurants set allowed_origins = array(select jsonb_array_elements_text(p_origins))
   where id = p_restaurant_id;
  insert into audit_log (actor, action, restaurant_id, details)
  values (p_actor, 'tenant.origins', p_restaurant_id,
          jsonb_build_object('before', to_jsonb(v_before), 'allowedOrigins', p_origins));
  return stjarna_staff_restaurant(p_restaurant_id);
end
$$;

revoke execute on function stjarna_admin_key_json(admin_keys, timestamptz),
  stjarna_admin_key_find(text, text, timestamptz), stjarna_admin_keys(timestamptz, uuid),
  stjarna_admin_key_create(text, text, timestamptz, text, timestamptz, text, uuid),
  stjarna_admin_key_revoke(uuid, text, timestamptz, uuid, text), stjarna_admin_key_active(uuid, timestamptz),
  stjarna_staff_restaurant(uuid), stjarna_set_allowed_origins(uuid, jsonb, text) from public, anon, authenticated;
grant execute on function stjarna_admin_key_json(admin_keys, timestamptz),
  stjarna_admin_key_find(text, text, timestamptz), stjarna_admin_keys(timestamptz, uuid),
  stjarna_admin_key_create(text, text, timestamptz, text, timestamptz, text, uuid),
  stjarna_admin_key_revoke(uuid, text, timestamptz, uuid, text), stjarna_admin_key_active(uuid, timestamptz),
  stjarna_staff_restaurant(uuid), stjarna_set_allowed_origins(uuid, jsonb, text) to service_role;
