-- Operations (issue #17): `stjarna audit list` and the admin-key pepper rotation.

-- The audit trail for `stjarna audit list`: every row, or filtered by restaurant, by global rows only
-- (no restaurant: admin keys, global flags), by action (exactly, or a family: 'flag' matches 'flag.set'
-- and 'flag.unset') and by time; newest first, with the restaurant's slug.
create or replace function stjarna_audit_list(p_restaurant_id uuid default null, p_global_only boolean default false,
                                              p_action text default null, p_since timestamptz default null,
                                              p_limit integer default 50)
returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'at', a.at, 'actor', a.actor, 'action', a.action,
                                               'restaurantId', a.restaurant_id, 'restaurantSlug', r.slug,
                                               'details', a.details)
                            order by a.at desc, a.id desc), '[]'::jsonb)
    from (select * from audit_log l
           where (p_restaurant_id is null or l.restaurant_id = p_restaurant_id)
             and (not p_global_only or l.restaurant_id is null)
             and (p_action is null or l.action = p_action or l.action like p_action || '.%')
             and (p_since is null or l.at >= p_since)
           order by l.at desc, l.id desc limit greatest(1, least(p_limit, 1000))) a
    left join restaurants r on r.id = a.restaurant_id
$$;

revoke execute on function stjarna_audit_list(uuid, boolean, text, timestamptz, integer) from public, anon, authenticated;
grant execute on function stjarna_audit_list(uuid, boolean, text, timestamptz, integer) to service_role;

-- A pepper rotation (docs/operations.md, Rotating secrets): a key that verified with
-- ADMIN_KEY_PEPPER_PREVIOUS gets its hash under ADMIN_KEY_PEPPER, only if it still holds the old one
-- (two instances re-hashing at once write the same value once). Audited: `stjarna audit list --action
-- admin_key.rehash` shows which keys moved; the others need re-issuing before the previous pepper goes.
create or replace function stjarna_admin_key_rehash(p_id uuid, p_from text, p_to text)
returns boolean
language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_name text;
begin
  update admin_keys set key_hash = p_to where id = p_id and key_hash = p_from returning name into v_name;
  if not found then
    return false;
  end if;
  insert into audit_log (actor, action, details)
  values ('admin-key:' || p_id, 'admin_key.rehash', jsonb_build_object('keyId', p_id, 'name', v_name));
  return true;
end
$$;

revoke execute on function stjarna_admin_key_rehash(uuid, text, text) from public, anon, authenticated;
grant execute on function stjarna_admin_key_rehash(uuid, text, text) to service_role;
