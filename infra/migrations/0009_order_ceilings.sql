-- What one session and one order can ask of a kitchen (docs/orders.md, "Ceilings"): at most
-- maxOpenOrders open orders (placed, accepted, preparing or ready) per restaurant and session, and a
-- total of at most maxTotalCents; both come in p_order (the restaurant's flags), either may be absent.
-- Checked in the transaction that places the order, after the checks stjarna_place_order makes first
-- (ordering on, restaurant live, pickup time, hours, items), so an order refused for another reason
-- says that reason. Two orders of one session at once are placed one after the other (a transaction
-- advisory lock on restaurant + session): they cannot both see room for one more. A retry with an
-- Idempotency-Key already used is answered by stjarna_place_order as before (its order is open itself).
-- Outcomes, beyond stjarna_place_order's:
--   too_many_open_orders   with "openOrders", "maxOpenOrders"
--   total_too_high         with "totalCents", "maxTotalCents", "currency"
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
  if v_dry then
    return v_quote;
  end if;
  return stjarna_place_order(p_order, p_now);
end
$$;

revoke all on function stjarna_place_order_bounded(jsonb, timestamptz) from public, anon, authenticated;
grant execute on function stjarna_place_order_bounded(jsonb, timestamptz) to service_role;
