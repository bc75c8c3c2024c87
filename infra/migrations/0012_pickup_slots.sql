-- Pickup slots (docs/orders.md, "Pickup slots"): ordering for later on a grid of slots inside the
-- opening hours, with an optional capacity per slot.
--
-- The grid: within each opening range (stjarna_opening_ranges: wall-clock hours in the restaurant's
-- timezone, DST-correct), slots start every p_slot_minutes counted from the range's start, and a slot
-- must END inside its range (start + length <= close): the whole pickup window is during opening
-- hours. A slot is named by its start, which is the order's pickupAt.
-- Capacity: the orders of a restaurant whose pickupAt lies in [slot start, slot start + length), in any
-- status but cancelled and expired ("as soon as possible" orders take no slot).

create index orders_restaurant_pickup_idx on orders (restaurant_id, pickup_at) where pickup_at is not null;

-- The slot starts in [p_from, p_to] of the hours p_hours in p_timezone: the one definition of the grid,
-- used by the list (stjarna_pickup_slots) and by the gate (stjarna_pickup_slot_gate).
create or replace function stjarna_pickup_slot_grid(p_hours jsonb, p_timezone text, p_from timestamptz,
                                                    p_to timestamptz, p_slot_minutes integer)
returns table (at timestamptz)
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select distinct r.opens_at + make_interval(mins => p_slot_minutes * n)
    from stjarna_opening_ranges(p_hours, p_timezone, p_from,
                                least(366, ceil(extract(epoch from p_to - p_from) / 86400)::integer + 1)) r,
         generate_series(
           greatest(0, ceil(extract(epoch from p_from - r.opens_at) / (60.0 * p_slot_minutes)))::integer,
           least(floor(extract(epoch from p_to - r.opens_at) / (60.0 * p_slot_minutes)),
                 floor(extract(epoch from r.closes_at - r.opens_at) / (60.0 * p_slot_minutes)) - 1)::integer) n
   where p_slot_minutes > 0 and p_to >= p_from
$$;

-- Orders that take a place in the slot starting at p_at.
create or replace function stjarna_pickup_slot_taken(p_restaurant_id uuid, p_at timestamptz,
                                                     p_slot_minutes integer)
returns integer
language sql stable
set search_path = pg_catalog, public, pg_temp
as $$
  select count(*)::integer
    from orders
   where restaurant_id = p_restaurant_id
     and pickup_at >= p_at and pickup_at < p_at + make_interval(mins => p_slot_minutes)
     and status not in ('cancelled', 'expired')
$$;

-- The next pickup slots of a live restaurant, as GET /api/public/pickup-slots gives them:
-- {"outcome": "ok", "timezone", "open": bool (open at p_now), "slots": [{"at", "local": "HH:MM",
--  "date": "YYYY-MM-DD" (local), "remaining": int or null}]} or {"outcome": "restaurant_not_found"}.
-- Slots from p_now + p_lead_minutes (the next one on the grid) to p_now + p_horizon_minutes, the same
-- bounds stjarna_place_order checks; with p_capacity > 0 full slots are left out and "remaining" is
-- given, else it is null; at most p_limit (1..200).
create or replace function stjarna_pickup_slots(p_restaurant_id uuid, p_now timestamptz, p_lead_minutes integer,
                                                p_horizon_minutes integer, p_slot_minutes integer,
                                                p_capacity integer, p_limit integer default 48)
returns jsonb
language plpgsql stable
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_r      restaurants%rowtype;
  v_limit  integer := greatest(1, least(coalesce(p_limit, 48), 200));
  v_at     timestamptz;
  v_left   integer;
  v_slots  jsonb := '[]'::jsonb;
begin
  if p_slot_minutes is null or p_slot_minutes not between 1 and 1440 then
    raise exception 'p_slot_minutes must be between 1 and 1440, not %', coalesce(p_slot_minutes::text, 'null')
      using errcode = '22023';
  end if;
  select * into v_r from restaurants where id = p_restaurant_id and status = 'live';
  if not found then
    return jsonb_build_object('outcome', 'restaurant_not_found');
  end if;
  -- earliest first, counting only until the answer is full (a full slot is one count more)
  for v_at in select g.at from stjarna_pickup_slot_grid(v_r.hours, v_r.timezone,
                                                        p_now + make_interval(mins => p_lead_minutes),
                                                        p_now + make_interval(mins => p_horizon_minutes),
                                                        p_slot_minutes) g order by g.at loop
    v_left := null;
    if p_capacity > 0 then
      v_left := p_capacity - stjarna_pickup_slot_taken(p_restaurant_id, v_at, p_slot_minutes);
      continue when v_left <= 0;
    end if;
    v_slots := v_slots || jsonb_build_array(jsonb_build_object(
      'at', v_at, 'local', to_char(v_at at time zone v_r.timezone, 'HH24:MI'),
      'date', to_char(v_at at time zone v_r.timezone, 'YYYY-MM-DD'), 'remaining', v_left));
    exit when jsonb_array_length(v_slots) >= v_limit;
  end loop;
  -- "open" is by the opening hours only: the caller adds the pause state to make "asap"
  return jsonb_build_object(
    'outcome', 'ok', 'timezone', v_r.timezone, 'slots', v_slots,
    'open', (stjarna_opening_state(v_r.hours, v_r.timezone, p_now) ->> 'open')::boolean);
end
$$;

-- The order transaction's check of a pickup time (the caller places the order in the same transaction,
-- after this returns null). Null for "as soon as possible" (p_pickup_at null); else the pickup time must
-- be a slot start of the grid ({"outcome": "pickup_not_on_slot", "pickupAt", "slotMinutes"}), and with
-- p_capacity > 0 the slot must have room ({"outcome": "slot_full", "pickupAt", "capacity"}).
-- Concurrent orders for one slot take a transaction advisory lock on (restaurant, slot) before they
-- count, so they are counted one after another: the lock is held until the order's transaction ends,
-- and the next one's count (a new statement, a new snapshot) sees the committed order.
create or replace function stjarna_pickup_slot_gate(p_restaurant_id uuid, p_pickup_at timestamptz,
                                                    p_slot_minutes integer, p_capacity integer)
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_r restaurants%rowtype;
begin
  if p_slot_minutes is null or p_slot_minutes not between 1 and 1440 then
    raise exception 'p_slot_minutes must be between 1 and 1440, not %', coalesce(p_slot_minutes::text, 'null')
      using errcode = '22023';
  end if;
  if p_pickup_at is null then
    return null;
  end if;
  select * into v_r from restaurants where id = p_restaurant_id;
  if not found then
    return jsonb_build_object('outcome', 'restaurant_not_found');
  end if;
  if not exists (select 1 from stjarna_pickup_slot_grid(v_r.hours, v_r.timezone, p_pickup_at, p_pickup_at,
                                                        p_slot_minutes)) then
    return jsonb_build_object('outcome', 'pickup_not_on_slot', 'pickupAt', p_pickup_at,
                              'slotMinutes', p_slot_minutes);
  end if;
  if coalesce(p_capacity, 0) <= 0 then
    return null;
  end if;
  perform pg_advisory_xact_lock(hashtextextended(
    p_restaurant_id::text || ':' || extract(epoch from p_pickup_at)::bigint::text, 15015));
  if stjarna_pickup_slot_taken(p_restaurant_id, p_pickup_at, p_slot_minutes) >= p_capacity then
    return jsonb_build_object('outcome', 'slot_full', 'pickupAt', p_pickup_at, 'capacity', p_capacity);
  end if;
  return null;
end
$$;

revoke all on function stjarna_pickup_slot_grid(jsonb, text, timestamptz, timestamptz, integer),
  stjarna_pickup_slot_taken(uuid, timestamptz, integer),
  stjarna_pickup_slots(uuid, timestamptz, integer, integer, integer, integer, integer),
  stjarna_pickup_slot_gate(uuid, timestamptz, integer, integer)
  from public, anon, authenticated;
grant execute on function stjarna_pickup_slot_grid(jsonb, text, timestamptz, timestamptz, integer),
  stjarna_pickup_slot_taken(uuid, timestamptz, integer),
  stjarna_pickup_slots(uuid, timestamptz, integer, integer, integer, integer, integer),
  stjarna_pickup_slot_gate(uuid, timestamptz, integer, integer)
  to service_role;
