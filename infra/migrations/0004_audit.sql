-- One way to write an audit row from outside a SQL function (flag changes made by the CLI, which live
-- in SSM or a file, not in the database).
create or replace function stjarna_audit(p_actor text, p_action text, p_restaurant_id uuid, p_details jsonb)
returns bigint
language sql volatile as $$
  insert into audit_log (actor, action, restaurant_id, details)
  values (p_actor, p_action, p_restaurant_id, coalesce(p_details, '{}'::jsonb))
  returning id
$$;

-- The audit trail, newest first, optionally for one restaurant.
create or replace function stjarna_audit_log(p_restaurant_id uuid default null, p_limit integer default 50)
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(jsonb_build_object('at', a.at, 'actor', a.actor, 'action', a.action,
                                               'restaurantId', a.restaurant_id, 'details', a.details)
                            order by a.id desc), '[]'::jsonb)
    from (select * from audit_log
           where p_restaurant_id is null or restaurant_id = p_restaurant_id
           order by id desc limit greatest(1, least(p_limit, 500))) a
$$;

revoke execute on function stjarna_audit(text, text, uuid, jsonb), stjarna_audit_log(uuid, integer) from public;
grant execute on function stjarna_audit(text, text, uuid, jsonb), stjarna_audit_log(uuid, integer) to service_role;
