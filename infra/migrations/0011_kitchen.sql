-- The kitchen's side of orders (issue #15; docs/orders.md, docs/console.md): the pickup name and phone,
-- the promised ready time and the cancellation reason on an order; pausing ordering; "sold out until the
-- next opening"; a per-restaurant orders version for the board's ETag; erasing names and phones after
-- ORDER_PII_RETENTION_DAYS. Every function: fixed search_path, executable by service_role only.

alter table orders
  add column pickup_name   text check (length(pickup_name) between 1 and 40),
  add column pickup_phone  text check (pickup_phone ~ '^\+[1-9][0-9]{4,14}$'),   -- E.164
  add column ready_at      timestamptz,
  add column cancel_reason text check (length(cancel_reason) between 1 and 200);
-- finished orders whose name or phone are still kept (the retention run reads only these)
create index orders_pii_kept_idx on orders (updated_at)
  where pickup_name is not null or pickup_phone is not null;

-- Paused: ordering_paused, until ordering_paused_until (null: until resumed). A change is a restaurant
-- change, so restaurants_touch bumps the menu version (the widget's config and head see it at once).
alter table restaurants
  add column ordering_paused       boolean not null default false,
  add column ordering_paused_until timestamptz;

-- "Sold out until the next opening": available = false with the time it comes back. Orders treat the
-- item as available once that time has passed (stjarna_place_order_v2 resets it in the order's own
-- transaction); the scheduled function resets the rest (stjarna_reset_item_availability).
alter table menu_items add column unavailable_until timestamptz;
-- the few items waiting for their opening: what every order's transaction and the scheduled run look for
create index menu_items_until_idx on menu_items (restaurant_id, unavailable_until)
  where not available and unavailable_until is not null;

-- The board's version: bumped in the transaction of every order insert, change or deletion (the
-- triggers below), pause change and availability change, so If-None-Match on "board-<version>" is one
-- primary-key read.
create table kitchen_versions (
  restaurant_id uuid primary key references restaurants (id) on delete cascade,
  version       bigint not null default 0
);
alter table kitchen_versions enable row level security;
revoke all on kitchen_versions from public, anon, authenticated;
grant all on kitchen_versions to service_role;

create or replace function stjarna_bump_kitchen_version(p_restaurant_id uuid) returns bigint
language sql volatile
set search_path = pg_catalog, public, pg_temp
as $$
  insert into kitchen_versions as k (restaurant_id, version) values (p_restaurant_id, 1)
  on conflict (restaurant_id) do update set version = k.version + 1
  returning version
$$;

create or replace function stjarna_bump_kitchen_versions() returns trigger
language plpgsql
set search_path = pg_catalog, public, pg_temp
as $$
begin
  -- in restaurant order, so two statements touching several restaurants lock their rows in one order
  insert into kitchen_versions as k (restaurant_id, version)
  select distinct restaurant_id, 1 from changed_rows order by restaurant_id
  on conflict (restaurant_id) do update set version = k.version + 1;
  return null;
end
$$;

create trigger orders_kitchen_ins after insert on orders
  referencing new table as changed_rows for each statement execute function stjarna_bump_kitchen_versions();
create trigger orders_kitchen_upd after update on orders
  referencing new table as changed_rows for each statement execute function stjarna_bump_kitchen_versions();
create trigger orders_kitchen_del after delete on orders
  referencing old table as changed_rows for each statement execute function stjarna_bump_kitchen_versions();

-- The order as the API returns it (0003), now with the promised ready time and the cancellation
-- reason (the diner sees both). Never the name or phone: stjarna_staff_order_json adds those.
create or replace function stjarna_order_json(p_order_id uuid, p_history boolean default false,
                                              p_actors boolean default false)
returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select jsonb_build_object(
    'orderId', o.id, 'orderCode', o.code, 'restaurantId', o.restaurant_id, 'status', o.status,
    'items', coalesce((select jsonb_agg(jsonb_build_object(
                         'itemId', i.item_id, 'name', i.name, 'quantity', i.quantity,
                         'unitPriceCents', i.unit_price_cents, 'lineTotalCents', i.line_total_cents,
                         'note', i.note) order by i.line)
                         from order_items i where i.order_id = o.id), '[]'::jsonb),
    'totalCents', o.total_cents, 'currency', o.currency, 'pickupAt', o.pickup_at,
    'placedAt', o.placed_at, 'updatedAt', o.updated_at, 'paymentMethod', o.payment_method,
    'readyAt', o.ready_at, 'cancelReason', o.cancel_reason)
    || case when p_history then jsonb_build_object('history', coalesce((
          select jsonb_agg(jsonb_build_object('status', e.to_status, 'at', e.at)
                           || case when p_actors then jsonb_build_object('actor', e.actor)
                                   else '{}'::jsonb end order by e.id)
            from order_events e where e.order_id = o.id), '[]'::jsonb))
       else '{}'::jsonb end
  from orders o where o.id = p_order_id
$$;

-- The staff's view: history with actors, and the pickup name and phone.
create or replace function stjarna_staff_order_json(p_order_id uuid) returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select stjarna_order_json(o.id, true, true)
         || jsonb_build_object('pickupName', o.pickup_name, 'pickupPhone', o.pickup_phone)
    from orders o where o.id = p_order_id
$$;

create or replace function stjarna_staff_order(p_restaurant_id uuid, p_order_id uuid, p_code text)
returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select stjarna_staff_order_json(o.id)
    from orders o
   where (p_restaurant_id is null or o.restaurant_id = p_restaurant_id)
     and (o.id = p_order_id or (p_restaurant_id is not null and o.code = p_code))
   limit 1
$$;

-- Is ordering paused at p_now? {"until": timestamptz or null} when it is, else null.
create or replace function stjarna_pause_json(p_paused boolean, p_until timestamptz, p_now timestamptz)
returns jsonb
language sql immutable
set search_path = pg_catalog, public, pg_temp
as $$
  select case when p_paused and (p_until is null or p_until > p_now)
              then jsonb_build_object('until', p_until) end
$$;

-- The head (0002) carries the pause and the weekly hours, so the widget's config says whether ordering is
-- paused and until when, and whether the restaurant is open (shared/http/menu.py computes both at the
-- request's time: a timed pause ends by itself) without loading the menu.
create or replace function stjarna_restaurant_head(p_ref text) returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select jsonb_build_object(
           'id', r.id, 'slug', r.slug, 'name', r.name, 'version', r.menu_version,
           'currency', r.currency, 'locale', r.locale, 'timezone', r.timezone,
           'allowedOrigins', to_jsonb(r.allowed_origins),
           'themeColor', r.theme_color, 'greeting', r.greeting, 'plan', r.plan,
           'orderingPaused', r.ordering_paused, 'orderingPausedUntil', r.ordering_paused_until,
           'hours', r.hours)
    from restaurants r
   where r.id = stjarna_resolve(p_ref) and r.status = 'live'
$$;

-- Placing (and quoting), outermost: stjarna_place_order_bounded (0009) behind two more checks, and the
-- pickup name and phone stored with the order. Beyond the outcomes of 0003 and 0009:
--   ordering_paused   with "resumesAt" (null: until resumed)
-- A retry with an Idempotency-Key already used is answered as before, paused or not (its order exists).
-- p_order gains pickupName and pickupPhone (validated and normalised by shared/orders/requests.py).
create or replace function stjarna_place_order_v2(p_order jsonb, p_now timestamptz default now())
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_rid    uuid := (p_order ->> 'restaurantId')::uuid;
  v_dry    boolean := coalesce((p_order ->> 'dryRun')::boolean, false);
  v_r      restaurants%rowtype;
  v_result jsonb;
begin
  if v_dry or not exists (select 1 from orders
                           where restaurant_id = v_rid and idempotency_key = p_order ->> 'idempotencyKey') then
    select * into v_r from restaurants where id = v_rid;
    if found and stjarna_pause_json(v_r.ordering_paused, v_r.ordering_paused_until, p_now) is not null then
      return jsonb_build_object('outcome', 'ordering_paused', 'resumesAt', v_r.ordering_paused_until);
    end if;
    -- items sold out "until the next opening" are back once it has passed (the check first: an update
    -- of no rows would still run the menu version's statement trigger)
    if exists (select 1 from menu_items
                where restaurant_id = v_rid and not available and unavailable_until <= p_now) then
      update menu_items set available = true, unavailable_until = null
       where restaurant_id = v_rid and not available and unavailable_until <= p_now;
    end if;
  end if;
  v_result := stjarna_place_order_bounded(p_order, p_now);
  if v_result ->> 'outcome' = 'created'
     and (p_order ->> 'pickupName' is not null or p_order ->> 'pickupPhone' is not null) then
    update orders set pickup_name = p_order ->> 'pickupName', pickup_phone = p_order ->> 'pickupPhone'
     where id = (v_result -> 'order' ->> 'orderId')::uuid;
  end if;
  return v_result;
end
$$;

-- A status change by staff (stjarna_set_order_status, 0003) with the promised ready time (when accepting)
-- and the cancellation reason (when cancelling), in the same transaction. Answers with the staff view.
create or replace function stjarna_kitchen_set_status(p_order_id uuid, p_status text, p_actor text,
                                                      p_expected text, p_restaurant_id uuid,
                                                      p_ready_in_minutes integer, p_cancel_reason text,
                                                      p_now timestamptz default now())
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_result jsonb;
  v_id     uuid;
begin
  v_result := stjarna_set_order_status(p_order_id, p_status, p_actor, p_expected, p_restaurant_id, p_now);
  if v_result ->> 'outcome' = 'not_found' then
    return v_result;
  end if;
  v_id := (v_result -> 'order' ->> 'orderId')::uuid;
  if v_result ->> 'outcome' = 'updated' then
    if p_status = 'accepted' and p_ready_in_minutes is not null then
      update orders set ready_at = p_now + make_interval(mins => p_ready_in_minutes) where id = v_id;
    elsif p_status = 'cancelled' and p_cancel_reason is not null then
      update orders set cancel_reason = p_cancel_reason where id = v_id;
    end if;
  end if;
  return v_result || jsonb_build_object('order', stjarna_staff_order_json(v_id));
end
$$;

-- The board's version alone (the console's poll with If-None-Match): one call, primary-key reads.
create or replace function stjarna_board_version(p_restaurant_id uuid) returns bigint
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select coalesce((select version from kitchen_versions where restaurant_id = p_restaurant_id), 0)
$$;

-- The same by the restaurant's slug or id (any status): {"restaurantId", "version"}, or null.
create or replace function stjarna_board_head(p_ref text) returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select jsonb_build_object('restaurantId', v_id, 'version', stjarna_board_version(v_id))
    from (select stjarna_resolve(p_ref) as v_id) r
   where v_id is not null
$$;

-- The board (docs/console.md): open orders oldest first, today's finished ones newest first (at most
-- 20), the pause, and today's figures. "Today" is the restaurant's local day. Read in one statement,
-- so the version matches what the board shows.
create or replace function stjarna_kitchen_board(p_restaurant_id uuid, p_now timestamptz default now())
returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  with r as (
    select r.*, (date_trunc('day', p_now at time zone r.timezone) at time zone r.timezone) as day_start
      from restaurants r where r.id = p_restaurant_id
  ), today as (
    select o.* from orders o, r where o.restaurant_id = r.id and o.placed_at >= r.day_start
  )
  select jsonb_build_object(
    'version', stjarna_board_version(r.id),
    'restaurant', jsonb_build_object('id', r.id, 'slug', r.slug, 'name', r.name, 'timezone', r.timezone,
                                     'currency', r.currency),
    'paused', stjarna_pause_json(r.ordering_paused, r.ordering_paused_until, p_now),
    'orders', coalesce((select jsonb_agg(stjarna_staff_order_json(o.id) order by o.placed_at, o.id)
                          from orders o
                         where o.restaurant_id = r.id and o.status in ('placed', 'accepted', 'preparing', 'ready')),
                       '[]'::jsonb),
    'recent', coalesce((select jsonb_agg(stjarna_staff_order_json(f.id) order by f.updated_at desc, f.id)
                          from (select o.id, o.updated_at from orders o
                                 where o.restaurant_id = r.id and o.status in ('picked_up', 'cancelled')
                                   and o.updated_at >= r.day_start
                                 order by o.updated_at desc, o.id limit 20) f), '[]'::jsonb),
    'today', jsonb_build_object(
      'orders', (select count(*) from today),
      'revenueCents', (select coalesce(sum(total_cents), 0) from today where status not in ('cancelled', 'expired')),
      'currency', r.currency,
      'avgAcceptToReadySeconds', (
        select round(avg(extract(epoch from rd.at - ac.at)))::bigint
          from today t
          join lateral (select min(at) as at from order_events
                         where order_id = t.id and to_status = 'accepted') ac on ac.at is not null
          join lateral (select min(at) as at from order_events
                         where order_id = t.id and to_status = 'ready') rd on rd.at is not null)))
  from r
$$;

-- Pause (p_paused, for p_minutes or, with null, until resumed) or resume ordering. Audited.
create or replace function stjarna_kitchen_pause(p_restaurant_id uuid, p_paused boolean, p_minutes integer,
                                                 p_actor text, p_now timestamptz default now())
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_r restaurants%rowtype;
begin
  update restaurants
     set ordering_paused = p_paused,
         ordering_paused_until = case when p_paused and p_minutes is not null
                                      then p_now + make_interval(mins => p_minutes) end
   where id = p_restaurant_id
  returning * into v_r;
  if not found then
    return jsonb_build_object('outcome', 'not_found');
  end if;
  perform stjarna_bump_kitchen_version(p_restaurant_id);
  insert into audit_log (at, actor, action, restaurant_id, details)
  values (p_now, p_actor, case when p_paused then 'ordering.pause' else 'ordering.resume' end, p_restaurant_id,
          jsonb_build_object('minutes', p_minutes, 'until', v_r.ordering_paused_until));
  return jsonb_build_object('outcome', 'updated',
                            'paused', stjarna_pause_json(v_r.ordering_paused, v_r.ordering_paused_until, p_now));
end
$$;

-- The kitchen's item list: every item of the restaurant (sections in menu order), whose name or key
-- contains p_q (case-insensitive; null: all), available as an order would see it at p_now.
create or replace function stjarna_kitchen_items(p_restaurant_id uuid, p_q text, p_now timestamptz default now())
returns jsonb
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select coalesce(jsonb_agg(jsonb_build_object(
           'itemId', i.id, 'key', i.key, 'name', i.name, 'section', s.name, 'priceCents', i.price_cents,
           'available', i.available or coalesce(i.unavailable_until <= p_now, false),
           'unavailableUntil', case when not i.available and i.unavailable_until > p_now
                                    then i.unavailable_until end)
         order by s.position, s.id, i.position, i.id), '[]'::jsonb)
    from menu_items i join menu_sections s on s.id = i.section_id
   where i.restaurant_id = p_restaurant_id
     and (p_q is null or strpos(lower(i.name), lower(p_q)) > 0 or strpos(lower(i.key), lower(p_q)) > 0)
$$;

-- Mark an item available, or unavailable (with p_until_next_opening: until the restaurant's next
-- opening, which resets itself). Bumps the menu version (the menu_items triggers) and the board's.
-- Outcomes: updated (with "item") | not_found | no_next_opening (no opening within a week).
create or replace function stjarna_kitchen_set_item(p_restaurant_id uuid, p_item_id uuid, p_available boolean,
                                                    p_until_next_opening boolean, p_actor text,
                                                    p_now timestamptz default now())
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_r     restaurants%rowtype;
  v_until timestamptz;
begin
  select * into v_r from restaurants where id = p_restaurant_id;
  if not found or not exists (select 1 from menu_items where id = p_item_id and restaurant_id = p_restaurant_id) then
    return jsonb_build_object('outcome', 'not_found');
  end if;
  if not p_available and p_until_next_opening then
    v_until := (stjarna_opening_state(v_r.hours, v_r.timezone, p_now) ->> 'nextOpeningAt')::timestamptz;
    if v_until is null then
      return jsonb_build_object('outcome', 'no_next_opening');
    end if;
  end if;
  update menu_items set available = p_available, unavailable_until = v_until
   where id = p_item_id and (available, unavailable_until) is distinct from (p_available, v_until);
  if found then
    perform stjarna_bump_kitchen_version(p_restaurant_id);
    insert into audit_log (at, actor, action, restaurant_id, details)
    values (p_now, p_actor, 'item.availability', p_restaurant_id,
            jsonb_build_object('itemId', p_item_id, 'available', p_available, 'until', v_until));
  end if;
  return jsonb_build_object('outcome', 'updated', 'item', (
    select e from jsonb_array_elements(stjarna_kitchen_items(p_restaurant_id, null, p_now)) e
     where e ->> 'itemId' = p_item_id::text));
end
$$;

-- The scheduled run: items whose "until the next opening" has passed become available again (a menu
-- version bump for each restaurant touched, by the menu_items triggers). Returns how many.
create or replace function stjarna_reset_item_availability(p_now timestamptz default now()) returns integer
language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_count integer;
begin
  with reset as (
    update menu_items set available = true, unavailable_until = null
     where not available and unavailable_until <= p_now
    returning restaurant_id
  ), bumped as (
    insert into kitchen_versions as k (restaurant_id, version)
    select distinct restaurant_id, 1 from reset order by restaurant_id
    on conflict (restaurant_id) do update set version = k.version + 1
  )
  select count(*) into v_count from reset;
  return v_count;
end
$$;

-- Retention: the pickup name and phone of orders finished (picked up, cancelled, expired) before
-- p_before are erased (ORDER_PII_RETENTION_DAYS). Returns how many orders lost them.
create or replace function stjarna_erase_order_pii(p_before timestamptz) returns integer
language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_count integer;
begin
  update orders set pickup_name = null, pickup_phone = null
   where (pickup_name is not null or pickup_phone is not null)
     and status in ('picked_up', 'cancelled', 'expired') and updated_at < p_before;
  get diagnostics v_count = row_count;
  return v_count;
end
$$;

revoke all on function
  stjarna_bump_kitchen_version(uuid), stjarna_bump_kitchen_versions(), stjarna_staff_order_json(uuid),
  stjarna_pause_json(boolean, timestamptz, timestamptz), stjarna_place_order_v2(jsonb, timestamptz),
  stjarna_kitchen_set_status(uuid, text, text, text, uuid, integer, text, timestamptz),
  stjarna_board_version(uuid), stjarna_board_head(text), stjarna_kitchen_board(uuid, timestamptz),
  stjarna_kitchen_pause(uuid, boolean, integer, text, timestamptz), stjarna_kitchen_items(uuid, text, timestamptz),
  stjarna_kitchen_set_item(uuid, uuid, boolean, boolean, text, timestamptz),
  stjarna_reset_item_availability(timestamptz), stjarna_erase_order_pii(timestamptz)
  from public, anon, authenticated;
grant execute on function
  stjarna_bump_kitchen_version(uuid), stjarna_bump_kitchen_versions(), stjarna_staff_order_json(uuid),
  stjarna_pause_json(boolean, timestamptz, timestamptz), stjarna_place_order_v2(jsonb, timestamptz),
  stjarna_kitchen_set_status(uuid, text, text, text, uuid, integer, text, timestamptz),
  stjarna_board_version(uuid), stjarna_board_head(text), stjarna_kitchen_board(uuid, timestamptz),
  stjarna_kitchen_pause(uuid, boolean, integer, text, timestamptz), stjarna_kitchen_items(uuid, text, timestamptz),
  stjarna_kitchen_set_item(uuid, uuid, boolean, boolean, text, timestamptz),
  stjarna_reset_item_availability(timestamptz), stjarna_erase_order_pii(timestamptz)
  to service_role;
