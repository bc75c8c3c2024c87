-- Pickup orders: orders with price snapshots, status events, opening-hours gating, idempotency;
-- admin key expiry. All order logic lives in the functions below (one call = one transaction), called
-- through the store's RPC (shared/orders/service.py). docs/orders.md describes the contract.

create table orders (
  id              uuid primary key default gen_random_uuid(),
  restaurant_id   uuid not null references restaurants (id) on delete cascade,
  -- 6 characters without look-alikes (no 0/O, 1/I/L): 31^6 ≈ 887 million codes per restaurant
  code            text not null check (code ~ '^[2-9A-HJKMNP-Z]{6}$'),
  status          text not null default 'placed' check (status in
                    ('placed', 'accepted', 'preparing', 'ready', 'picked_up', 'cancelled', 'expired')),
  -- the diner is a pseudonymous session: only a SHA-256 of its token is kept
  session_hash    text not null check (session_hash ~ '^[0-9a-f]{64}$'),
  idempotency_key text not null check (idempotency_key ~ '^[A-Za-z0-9_-]{8,128}$'),
  request_hash    text not null check (request_hash ~ '^[0-9a-f]{64}$'),
  currency        text not null check (currency ~ '^[A-Z]{3}$'),
  total_cents     bigint not null check (total_cents >= 0),
  pickup_at       timestamptz,            -- null: as soon as possible
  payment_method  text not null default 'pay_at_pickup',
  placed_at       timestamptz not null,
  updated_at      timestamptz not null,
  unique (restaurant_id, code),
  unique (restaurant_id, idempotency_key)
);
create index orders_restaurant_status_idx on orders (restaurant_id, status, placed_at desc);
create index orders_restaurant_placed_idx on orders (restaurant_id, placed_at desc);
create index orders_session_idx on orders (restaurant_id, session_hash);

-- Price snapshots: a later menu change (or a deleted item) does not change a placed order.
create table order_items (
  order_id         uuid not null references orders (id) on delete cascade,
  line             integer not null check (line >= 1),
  item_id          uuid not null,         -- no foreign key: the item may be deleted later
  item_key         text not null,
  name             text not null,
  quantity         integer not null check (quantity between 1 and 20),
  unit_price_cents integer not null check (unit_price_cents >= 0),
  line_total_cents bigint not null check (line_total_cents = unit_price_cents::bigint * quantity),
  note             text check (length(note) <= 200),
  primary key (order_id, line)
);

create table order_events (
  id          bigint generated always as identity primary key,
  order_id    uuid not null references orders (id) on delete cascade,
  at          timestamptz not null,
  from_status text,
  to_status   text not null,
  actor       text not null check (length(actor) between 1 and 200)
);
create index order_events_order_idx on order_events (order_id, id);

alter table orders enable row level security;
alter table order_items enable row level security;
alter table order_events enable row level security;
-- no policies: the anonymous and authenticated roles see nothing; the service role bypasses RLS
grant all on orders, order_items, order_events to service_role;
grant usage on all sequences in schema public to service_role;

alter table admin_keys add column expires_at timestamptz;

-- Opening hours ---------------------------------------------------------------------------------
-- The concrete opening ranges of a restaurant's weekly hours (docs/menu-format.md: local wall-clock
-- "HH:MM" ranges per weekday; an end at or before the start runs past midnight; 24:00 ends a day)
-- for the local days from the day before p_from to p_days after it, in absolute time. Wall-clock
-- times are converted in the restaurant's timezone, so DST changes are honoured.
create or replace function stjarna_opening_ranges(p_hours jsonb, p_timezone text, p_from timestamptz,
                                                  p_days integer default 8)
returns table (opens_at timestamptz, closes_at timestamptz)
language sql stable as $$
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
    from ranges
$$;

-- {"open": bool, "nextOpeningAt": timestamptz or null} at p_at: nextOpeningAt is the start of the
-- next range when closed (null when the restaurant never opens within a week).
create or replace function stjarna_opening_state(p_hours jsonb, p_timezone text, p_at timestamptz)
returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'open', exists (select 1 from stjarna_opening_ranges(p_hours, p_timezone, p_at)
                     where opens_at <= p_at and p_at < closes_at),
    'nextOpeningAt', (select min(opens_at) from stjarna_opening_ranges(p_hours, p_timezone, p_at)
                       where opens_at > p_at))
$$;

-- Order codes -----------------------------------------------------------------------------------
-- Six characters from the 31-letter alphabet, from the strong random bytes of gen_random_uuid()
-- (bytes 0-5 of a version-4 UUID are all random), without modulo bias (bytes >= 248 are skipped).
create or replace function stjarna_new_order_code() returns text
language plpgsql volatile as $$
declare
  v_alphabet constant text := '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
  v_code  text := '';
  v_bytes bytea;
  v_byte  integer;
begin
  while length(v_code) < 6 loop
    v_bytes := uuid_send(gen_random_uuid());
    for i in 0..5 loop
      v_byte := get_byte(v_bytes, i);
      if v_byte < 248 and length(v_code) < 6 then
        v_code := v_code || substr(v_alphabet, v_byte % 31 + 1, 1);
      end if;
    end loop;
  end loop;
  return v_code;
end
$$;

-- The order as the API returns it; with p_history, its status events (and with p_actors, who made
-- each change: for staff, never for diners).
create or replace function stjarna_order_json(p_order_id uuid, p_history boolean default false,
                                              p_actors boolean default false)
returns jsonb
language sql stable as $$
  select jsonb_build_object(
    'orderId', o.id, 'orderCode', o.code, 'restaurantId', o.restaurant_id, 'status', o.status,
    'items', coalesce((select jsonb_agg(jsonb_build_object(
                         'itemId', i.item_id, 'name', i.name, 'quantity', i.quantity,
                         'unitPriceCents', i.unit_price_cents, 'lineTotalCents', i.line_total_cents,
                         'note', i.note) order by i.line)
                         from order_items i where i.order_id = o.id), '[]'::jsonb),
    'totalCents', o.total_cents, 'currency', o.currency, 'pickupAt', o.pickup_at,
    'placedAt', o.placed_at, 'updatedAt', o.updated_at, 'paymentMethod', o.payment_method)
    || case when p_history then jsonb_build_object('history', coalesce((
          select jsonb_agg(jsonb_build_object('status', e.to_status, 'at', e.at)
                           || case when p_actors then jsonb_build_object('actor', e.actor)
                                   else '{}'::jsonb end order by e.id)
            from order_events e where e.order_id = o.id), '[]'::jsonb))
       else '{}'::jsonb end
  from orders o where o.id = p_order_id
$$;

-- Placing (and quoting) ------------------------------------------------------------------------
-- p_order: {restaurantId, sessionHash, idempotencyKey, requestHash, items: [{itemId, quantity, note}],
--           pickupAt, leadMinutes, horizonMinutes, orderingEnabled, paymentMethod, dryRun}
-- (validated by shared/orders/models.py). Returns {"outcome": ...}:
--   created | replayed | quoted              with "order"
--   key_reused | ordering_disabled | restaurant_not_found
--   closed                                   with "nextOpeningAt"
--   pickup_out_of_range                      with "earliest", "latest"
--   unavailable                              with "items": [{itemId, reason: unknown|unavailable}]
-- Pricing, availability, the hours check, the code and the inserts happen in this one transaction:
-- a failure anywhere leaves no rows. Concurrent calls with one idempotency key make one order: the
-- loser's insert waits for the winner's commit, then finds its order and replays it.
create or replace function stjarna_place_order(p_order jsonb, p_now timestamptz default now())
returns jsonb
language plpgsql volatile as $$
declare
  v_rid      uuid := (p_order ->> 'restaurantId')::uuid;
  v_key      text := p_order ->> 'idempotencyKey';
  v_dry      boolean := coalesce((p_order ->> 'dryRun')::boolean, false);
  v_pickup   timestamptz := (p_order ->> 'pickupAt')::timestamptz;
  v_lead     interval := make_interval(mins => (p_order ->> 'leadMinutes')::integer);
  v_horizon  interval := make_interval(mins => (p_order ->> 'horizonMinutes')::integer);
  v_r        restaurants%rowtype;
  v_existing orders%rowtype;
  v_state    jsonb;
  v_lines    jsonb;
  v_missing  jsonb;
  v_total    bigint;
  v_id       uuid;
  v_attempts integer := 0;
begin
  if not v_dry then
    select * into v_existing from orders where restaurant_id = v_rid and idempotency_key = v_key;
    if found then
      return stjarna_replay_order(v_existing, p_order ->> 'requestHash');
    end if;
  end if;
  if not coalesce((p_order ->> 'orderingEnabled')::boolean, false) then
    return jsonb_build_object('outcome', 'ordering_disabled');
  end if;
  select * into v_r from restaurants where id = v_rid and status = 'live';
  if not found then
    return jsonb_build_object('outcome', 'restaurant_not_found');
  end if;

  if v_pickup is not null and (v_pickup < p_now + v_lead or v_pickup > p_now + v_horizon) then
    return jsonb_build_object('outcome', 'pickup_out_of_range',
                              'earliest', p_now + v_lead, 'latest', p_now + v_horizon);
  end if;
  v_state := stjarna_opening_state(v_r.hours, v_r.timezone, coalesce(v_pickup, p_now));
  if not (v_state ->> 'open')::boolean then
    return jsonb_build_object('outcome', 'closed', 'nextOpeningAt', v_state -> 'nextOpeningAt');
  end if;

  with wanted as (
    select n as line, e ->> 'itemId' as item_id, (e ->> 'quantity')::integer as quantity,
           nullif(e ->> 'note', '') as note
      from jsonb_array_elements(p_order -> 'items') with ordinality as t (e, n)
  ), priced as (
    select w.*, i.id, i.key, i.name, i.price_cents, (i.available and s.active) as orderable
      from wanted w
      left join menu_items i on i.restaurant_id = v_rid and i.id = w.item_id::uuid
      left join menu_sections s on s.id = i.section_id
  )
  select jsonb_agg(jsonb_build_object('line', line, 'itemId', id, 'key', key, 'name', name,
                                      'quantity', quantity, 'unitPriceCents', price_cents,
                                      'lineTotalCents', price_cents::bigint * quantity, 'note', note)
                   order by line) filter (where orderable),
         (select jsonb_agg(distinct jsonb_build_object(
                   'itemId', p.item_id, 'reason', case when p.id is null then 'unknown' else 'unavailable' end))
            from priced p where not coalesce(p.orderable, false)),
         sum(price_cents::bigint * quantity) filter (where orderable)
    into v_lines, v_missing, v_total
    from priced;
  if v_missing is not null then
    return jsonb_build_object('outcome', 'unavailable', 'items', v_missing);
  end if;

  if v_dry then
    return jsonb_build_object('outcome', 'quoted', 'order', jsonb_build_object(
      'restaurantId', v_rid, 'status', 'quote',
      'items', (select jsonb_agg(l - 'line' - 'key' order by (l ->> 'line')::integer)
                  from jsonb_array_elements(v_lines) l),
      'totalCents', v_total, 'currency', v_r.currency, 'pickupAt', v_pickup,
      'paymentMethod', p_order ->> 'paymentMethod'));
  end if;

  loop
    insert into orders (restaurant_id, code, session_hash, idempotency_key, request_hash, currency,
                        total_cents, pickup_at, payment_method, placed_at, updated_at)
    values (v_rid, stjarna_new_order_code(), p_order ->> 'sessionHash', v_key, p_order ->> 'requestHash',
            v_r.currency, v_total, v_pickup, p_order ->> 'paymentMethod', p_now, p_now)
    on conflict do nothing
    returning id into v_id;
    exit when v_id is not null;
    -- a conflict: either a concurrent call with the same key committed first (replay its order)...
    select * into v_existing from orders where restaurant_id = v_rid and idempotency_key = v_key;
    if found then
      return stjarna_replay_order(v_existing, p_order ->> 'requestHash');
    end if;
    -- ...or the random code is taken: draw another
    v_attempts := v_attempts + 1;
    if v_attempts >= 20 then
      raise exception 'no free order code after % attempts', v_attempts using errcode = '54000';
    end if;
  end loop;

  insert into order_items (order_id, line, item_id, item_key, name, quantity, unit_price_cents,
                           line_total_cents, note)
  select v_id, (l ->> 'line')::integer, (l ->> 'itemId')::uuid, l ->> 'key', l ->> 'name',
         (l ->> 'quantity')::integer, (l ->> 'unitPriceCents')::integer,
         (l ->> 'lineTotalCents')::bigint, l ->> 'note'
    from jsonb_array_elements(v_lines) l;
  insert into order_events (order_id, at, from_status, to_status, actor)
  values (v_id, p_now, null, 'placed', 'diner');

  return jsonb_build_object('outcome', 'created', 'order', stjarna_order_json(v_id));
end
$$;

create or replace function stjarna_replay_order(p_existing orders, p_request_hash text) returns jsonb
language sql stable as $$
  select case when p_existing.request_hash = p_request_hash
              then jsonb_build_object('outcome', 'replayed', 'order', stjarna_order_json(p_existing.id))
              else jsonb_build_object('outcome', 'key_reused') end
$$;

-- The order with this code, for the session that placed it; NULL for anyone else.
create or replace function stjarna_session_order(p_restaurant_id uuid, p_code text, p_session_hash text)
returns jsonb
language sql stable as $$
  select stjarna_order_json(o.id, true)
    from orders o
   where o.restaurant_id = p_restaurant_id and o.code = p_code and o.session_hash = p_session_hash
$$;

-- Staff -----------------------------------------------------------------------------------------
-- The status machine (docs/orders.md): the one place that says which transitions are legal.
create or replace function stjarna_order_transition_allowed(p_from text, p_to text) returns boolean
language sql immutable as $$
  select (p_from, p_to) in (('placed', 'accepted'), ('accepted', 'preparing'), ('preparing', 'ready'),
                            ('ready', 'picked_up'),
                            ('placed', 'cancelled'), ('accepted', 'cancelled'), ('preparing', 'cancelled'),
                            ('placed', 'expired'), ('accepted', 'expired'), ('preparing', 'expired'),
                            ('ready', 'expired'))
$$;

-- Move an order to p_status. With p_expected, only from that status (optimistic concurrency: of two
-- staff members acting on the same order, one wins and the other gets "conflict"). The row lock
-- serialises concurrent calls. Returns {"outcome": updated|not_found|invalid_transition|conflict,
-- "order", "from", "to"} and writes the event and an audit row.
create or replace function stjarna_set_order_status(p_order_id uuid, p_status text, p_actor text,
                                                    p_expected text default null,
                                                    p_restaurant_id uuid default null,
                                                    p_now timestamptz default now())
returns jsonb
language plpgsql volatile as $$
declare
  v_o orders%rowtype;
begin
  select * into v_o from orders
   where id = p_order_id and (p_restaurant_id is null or restaurant_id = p_restaurant_id)
     for update;
  if not found then
    return jsonb_build_object('outcome', 'not_found');
  end if;
  if p_expected is not null and v_o.status <> p_expected then
    return jsonb_build_object('outcome', 'conflict', 'from', v_o.status, 'to', p_status,
                              'order', stjarna_order_json(v_o.id, true, true));
  end if;
  if not stjarna_order_transition_allowed(v_o.status, p_status) then
    return jsonb_build_object('outcome', 'invalid_transition', 'from', v_o.status, 'to', p_status,
                              'order', stjarna_order_json(v_o.id, true, true));
  end if;
  update orders set status = p_status, updated_at = p_now where id = v_o.id;
  insert into order_events (order_id, at, from_status, to_status, actor)
  values (v_o.id, p_now, v_o.status, p_status, p_actor);
  insert into audit_log (at, actor, action, restaurant_id, details)
  values (p_now, p_actor, 'order.status', v_o.restaurant_id,
          jsonb_build_object('orderId', v_o.id, 'orderCode', v_o.code, 'from', v_o.status, 'to', p_status));
  return jsonb_build_object('outcome', 'updated', 'from', v_o.status, 'to', p_status,
                            'order', stjarna_order_json(v_o.id, true, true));
end
$$;

-- One order for staff, by id or by code (within a restaurant), with its history and actors.
create or replace function stjarna_staff_order(p_restaurant_id uuid, p_order_id uuid, p_code text)
returns jsonb
language sql stable as $$
  select stjarna_order_json(o.id, true, true)
    from orders o
   where (p_restaurant_id is null or o.restaurant_id = p_restaurant_id)
     and (o.id = p_order_id or (p_restaurant_id is not null and o.code = p_code))
   limit 1
$$;

-- A restaurant's orders, newest first, optionally of one status.
create or replace function stjarna_list_orders(p_restaurant_id uuid, p_status text default null,
                                               p_limit integer default 50)
returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(stjarna_order_json(o.id) order by o.placed_at desc, o.id), '[]'::jsonb)
    from (select id, placed_at from orders
           where restaurant_id = p_restaurant_id and (p_status is null or status = p_status)
           order by placed_at desc, id limit greatest(1, least(p_limit, 500))) o
$$;

-- Expire orders not picked up in time: every open order whose pickup time (or, for "as soon as
-- possible", placing time) is before p_before. Returns the number expired.
create or replace function stjarna_expire_orders(p_before timestamptz, p_actor text,
                                                 p_now timestamptz default now())
returns integer
language plpgsql volatile as $$
declare
  v_count integer;
begin
  with due as (
    select id, status from orders
     where status in ('placed', 'accepted', 'preparing', 'ready')
       and coalesce(pickup_at, placed_at) < p_before
       for update
  ), expired as (
    update orders o set status = 'expired', updated_at = p_now
      from due where o.id = due.id
    returning o.id, due.status as old_status
  ), events as (
    insert into order_events (order_id, at, from_status, to_status, actor)
    select id, p_now, old_status, 'expired', p_actor from expired
  )
  select count(*) into v_count from expired;
  return v_count;
end
$$;

-- GDPR: erase a restaurant's diner data (its orders, their lines and events), or one session's.
create or replace function stjarna_erase_diner_data(p_restaurant_id uuid, p_session_hash text, p_actor text)
returns jsonb
language plpgsql volatile as $$
declare
  v_orders integer;
  v_items  integer;
  v_events integer;
begin
  select count(*) into v_items from order_items i join orders o on o.id = i.order_id
   where o.restaurant_id = p_restaurant_id and (p_session_hash is null or o.session_hash = p_session_hash);
  select count(*) into v_events from order_events e join orders o on o.id = e.order_id
   where o.restaurant_id = p_restaurant_id and (p_session_hash is null or o.session_hash = p_session_hash);
  delete from orders
   where restaurant_id = p_restaurant_id and (p_session_hash is null or session_hash = p_session_hash);
  get diagnostics v_orders = row_count;
  insert into audit_log (actor, action, restaurant_id, details)
  values (p_actor, 'gdpr.erase', p_restaurant_id,
          jsonb_build_object('scope', case when p_session_hash is null then 'restaurant' else 'session' end,
                             'orders', v_orders, 'orderItems', v_items, 'orderEvents', v_events));
  return jsonb_build_object('orders', v_orders, 'orderItems', v_items, 'orderEvents', v_events);
end
$$;

revoke execute on function
  stjarna_place_order(jsonb, timestamptz), stjarna_replay_order(orders, text),
  stjarna_session_order(uuid, text, text), stjarna_set_order_status(uuid, text, text, text, uuid, timestamptz),
  stjarna_staff_order(uuid, uuid, text), stjarna_list_orders(uuid, text, integer),
  stjarna_expire_orders(timestamptz, text, timestamptz), stjarna_erase_diner_data(uuid, text, text),
  stjarna_order_json(uuid, boolean, boolean), stjarna_new_order_code()
  from public;
grant execute on function
  stjarna_place_order(jsonb, timestamptz), stjarna_replay_order(orders, text),
  stjarna_session_order(uuid, text, text), stjarna_set_order_status(uuid, text, text, text, uuid, timestamptz),
  stjarna_staff_order(uuid, uuid, text), stjarna_list_orders(uuid, text, integer),
  stjarna_expire_orders(timestamptz, text, timestamptz), stjarna_erase_diner_data(uuid, text, text),
  stjarna_order_json(uuid, boolean, boolean), stjarna_new_order_code()
  to service_role;
grant execute on function stjarna_opening_ranges(jsonb, text, timestamptz, integer),
  stjarna_opening_state(jsonb, text, timestamptz) to anon, authenticated, service_role;

-- Admin keys ------------------------------------------------------------------------------------
-- Keys are stored as HMAC-SHA256(pepper, key) (shared/admin/keys.py); at most two are active at once
-- so they can be rotated without downtime. Every change writes an audit row.
create or replace function stjarna_admin_key_json(k admin_keys, p_now timestamptz) returns jsonb
language sql stable as $$
  select jsonb_build_object('id', k.id, 'name', k.name, 'createdAt', k.created_at,
                            'lastUsedAt', k.last_used_at, 'expiresAt', k.expires_at, 'revokedAt', k.revoked_at,
                            'active', k.revoked_at is null and (k.expires_at is null or k.expires_at > p_now))
$$;

create or replace function stjarna_admin_keys_active(p_now timestamptz default now()) returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(stjarna_admin_key_json(k, p_now) || jsonb_build_object('hash', k.key_hash)
                            order by k.created_at), '[]'::jsonb)
    from admin_keys k
   where k.revoked_at is null and (k.expires_at is null or k.expires_at > p_now)
$$;

create or replace function stjarna_admin_keys(p_now timestamptz default now()) returns jsonb
language sql stable as $$
  select coalesce(jsonb_agg(stjarna_admin_key_json(k, p_now) order by k.created_at), '[]'::jsonb)
    from admin_keys k
$$;

create or replace function stjarna_admin_key_create(p_name text, p_hash text, p_expires_at timestamptz,
                                                     p_actor text, p_now timestamptz default now())
returns jsonb
language plpgsql volatile as $$
declare
  v_key admin_keys%rowtype;
begin
  perform pg_advisory_xact_lock(hashtext('stjarna_admin_keys'));  -- two concurrent creates: one at a time
  if (select count(*) from admin_keys
       where revoked_at is null and (expires_at is null or expires_at > p_now)) >= 2 then
    return jsonb_build_object('outcome', 'too_many');
  end if;
  insert into admin_keys (name, key_hash, created_at, expires_at)
  values (p_name, p_hash, p_now, p_expires_at) returning * into v_key;
  insert into audit_log (at, actor, action, details)
  values (p_now, p_actor, 'admin_key.create', jsonb_build_object('keyId', v_key.id, 'name', p_name));
  return jsonb_build_object('outcome', 'created', 'key', stjarna_admin_key_json(v_key, p_now));
end
$$;

create or replace function stjarna_admin_key_revoke(p_id uuid, p_actor text, p_now timestamptz default now())
returns jsonb
language plpgsql volatile as $$
declare
  v_key admin_keys%rowtype;
begin
  update admin_keys set revoked_at = coalesce(revoked_at, p_now) where id = p_id returning * into v_key;
  if not found then
    return jsonb_build_object('outcome', 'not_found');
  end if;
  insert into audit_log (at, actor, action, details)
  values (p_now, p_actor, 'admin_key.revoke', jsonb_build_object('keyId', p_id, 'name', v_key.name));
  return jsonb_build_object('outcome', 'revoked', 'key', stjarna_admin_key_json(v_key, p_now));
end
$$;

create or replace function stjarna_admin_key_used(p_id uuid, p_now timestamptz default now()) returns void
language sql volatile as $$
  update admin_keys set last_used_at = p_now where id = p_id
$$;

revoke execute on function stjarna_admin_key_json(admin_keys, timestamptz),
  stjarna_admin_keys_active(timestamptz), stjarna_admin_keys(timestamptz),
  stjarna_admin_key_create(text, text, timestamptz, text, timestamptz),
  stjarna_admin_key_revoke(uuid, text, timestamptz), stjarna_admin_key_used(uuid, timestamptz) from public;
grant execute on function stjarna_admin_key_json(admin_keys, timestamptz),
  stjarna_admin_keys_active(timestamptz), stjarna_admin_keys(timestamptz),
  stjarna_admin_key_create(text, text, timestamptz, text, timestamptz),
  stjarna_admin_key_revoke(uuid, text, timestamptz), stjarna_admin_key_used(uuid, timestamptz) to service_role;
