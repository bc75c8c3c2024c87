-- The order transaction re-checks the pickup slot (docs/orders.md, "Pickup slots"): the same function as
-- 0009 plus, when p_order carries slotMinutes (PICKUP_SLOT_MINUTES) and slotCapacity (PICKUP_SLOT_CAPACITY)
-- and the order is for a time (pickupAt), stjarna_pickup_slot_gate (0012) after every other check, so an
-- order refused for another reason says that reason. The gate's advisory lock on (restaurant, slot) is
-- held until this transaction, with the order's insert, ends: two diners cannot both take the last place.
-- Outcomes, beyond 0009's: slot_full, pickup_not_on_slot.
create or replace function stjarna_place_order_bounded(p_order jsonb, p_now timestamptz default now())
returns jsonb
language plpgsql volatile
set search_path = pg_catalog, public, pg_temp
as $$
declare
  v_rid       uuid := (p_order ->> 'restaurantId')::uuid;
  v_session   text := p_order ->> 'sessionHash';
  v_key       text := p_order ->> 'idempotencyKey';
  v_dry       boolean := coalesce((p_order ->> 'dryRun')::boolean, false);
  v_max_open  integer := (p_order ->> 'maxOpenOrders')::integer;
  v_max_total bigint := (p_order ->> 'maxTotalCents')::bigint;
  v_open      integer;
  v_quote     jsonb;
  v_gate      jsonb;
begin
  if not v_dry then
    perform pg_advisory_xact_lock(hashtextextended(v_rid::text || ':' || v_session, 20161));
    if exists (select 1 from orders where restaurant_id = v_rid and idempotency_key = v_key) then
      return stjarna_place_order(p_order, p_now);  -- a replay, or a key reused for another order
    end if;
  end if;
  v_quote := stjarna_place_order(p_order || '{"dryRun": true}'::jsonb, p_now);
  if v_quote ->> 'outcome' <> 'quoted' then
    return v_quote;
  end if;
  if v_max_open is not null then
    select count(*) into v_open
      from orders
     where restaurant_id = v_rid and session_hash = v_session
       and status in ('placed', 'accepted', 'preparing', 'ready');
    if v_open >= v_max_open then
      return jsonb_build_object('outcome', 'too_many_open_orders', 'openOrders', v_open,
                                'maxOpenOrders', v_max_open);
    end if;
  end if;
  if v_max_total is not null and (v_quote -> 'order' ->> 'totalCents')::bigint > v_max_total then
    return jsonb_build_object('outcome', 'total_too_high', 'totalCents', (v_quote -> 'order' ->> 'totalCents')::bigint,
                              'maxTotalCents', v_max_total, 'currency', v_quote -> 'order' ->> 'currency');
  end if;
  -- the pickup slot (0012): on the grid, and with a capacity, room in it; the gate's advisory lock is
  -- held until this transaction (with the order's insert below) ends
  if p_order ->> 'pickupAt' is not null and p_order ->> 'slotMinutes' is not null then
    v_gate := stjarna_pickup_slot_gate(v_rid, (p_order ->> 'pickupAt')::timestamptz,
                                       (p_order ->> 'slotMinutes')::integer, (p_order ->> 'slotCapacity')::integer);
    if v_gate is not null then
      return v_gate;
    end if;
  end if;
  if v_dry then
    return v_quote;
  end if;
  return stjarna_place_order(p_order, p_now);
end
$$;

revoke all on function stjarna_place_order_bounded(jsonb, timestamptz) from public, anon, authenticated;
grant execute on function stjarna_place_order_bounded(jsonb, timestamptz) to service_role;
