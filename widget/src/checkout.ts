// The checkout's state and actions: the server's total (POST /api/orders/quote) of the cart on screen,
// asked for 300 ms after the last change; the pickup order (POST /api/orders with one Idempotency-Key
// per attempt, reused on retry); its status, polled from GET /api/orders/{code} every 15 s while the
// cart is on screen. The views read this state; only these actions start timers or call the API.
// It takes the parts of the widget's context it needs (context.ts's Ctx has them all), so it
// imports neither the context nor the views.

import { ApiError, type Client, type OrderBody } from "./api";
import type { Key } from "./i18n";
import type { Options } from "./loader";
import { randomId, type Store } from "./store";
import type { Menu, MenuItem, Order } from "./types";

const TERMINAL = ["picked_up", "cancelled", "expired"];
const POLL_MS = 15000;
const QUOTE_DELAY_MS = 300;

export interface Checkout {
  quote: Order | null;
  quoted: string; // the request the quote (or error) is for
  closed: boolean | null; // the server's word on the last quote (null: none yet); it beats the local clock
  quoting: number; // a pending quote's timer, or 0
  unavailable: Set<string>;
  error: string;
  placing: boolean;
  poll: number; // a pending status poll's timer, or 0
  polled: number; // when the order was last fetched
}

/** What the checkout actions use of the widget's context. */
export interface Shop {
  opts: Options;
  t: (key: Key, x?: string | number) => string;
  money(cents: number): string;
  api: Client;
  store: Store;
  menu: Menu;
  items: Map<string, MenuItem>;
  config: { features: { ordering: boolean } };
  order: Order | null;
  co: Checkout;
  announce(text: string): void;
  render(only?: "cart" | null): void;
}

export const checkout = (): Checkout =>
  ({ quote: null, quoted: "", closed: null, quoting: 0, unavailable: new Set(), error: "", placing: false, poll: 0,
     polled: 0 });

function body(ctx: Shop): OrderBody {
  const { token, cart } = ctx.store.get();
  return {
    restaurantId: ctx.opts.restaurantId, sessionToken: token,
    items: cart.map(({ itemId, quantity, note }) => (note.trim() ? { itemId, quantity, note: note.trim() } : { itemId, quantity })),
  };
}

/** The request a quote is for: the cart's items and quantities (notes do not change the total). */
export function wanted(ctx: Shop): string {
  return JSON.stringify({ ...body(ctx), items: ctx.store.get().cart.map(({ itemId, quantity }) => ({ itemId, quantity })) });
}

/** The diner's message for an order or quote error (and which items are unavailable). */
function explain(ctx: Shop, e: unknown): string {
  const { t, co } = ctx;
  if (!(e instanceof ApiError)) return t("orderNetwork");
  if (e.code === "ITEM_UNAVAILABLE") {
    const ids = ((e.data.items ?? []) as { itemId: string }[]).map((i) => i.itemId);
    ids.forEach((id) => co.unavailable.add(id));
    return t("unavailable", ids.map((id) => ctx.items.get(id)?.name ?? id).join(", "));
  }
  if (e.code === "RESTAURANT_CLOSED") {
    const at = new Date(String(e.data.nextOpeningAt));
    co.closed = true;
    return t("closedNow") + (e.data.nextOpeningAt && +at ? " " + t("opensAt", at.toLocaleString(ctx.opts.locale, {
      timeZone: ctx.menu.restaurant.timezone, weekday: "long", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })) : "");
  }
  if (e.code === "ORDERING_DISABLED") return t("orderingOff");
  // the restaurant's ceilings (docs/orders.md), in plain words; RESTAURANT_BUSY is a 429 as below
  if (e.code === "TOO_MANY_ITEMS") return t("tooManyItems", Number(e.data.maxItems));
  if (e.code === "ORDER_TOTAL_TOO_HIGH") return t("tooExpensive", ctx.money(Number(e.data.maxTotalCents)));
  if (e.code === "TOO_MANY_OPEN_ORDERS") return t("tooManyOpen", Number(e.data.openOrders));
  return e.status === 429 ? t("rateLimited", e.retryAfter ?? 30) : t("orderFailed", e.message);
}

function requote(ctx: Shop, request: string): void {
  const { co } = ctx;
  if (co.quoting || co.quoted === request) return;
  co.quoting = window.setTimeout(async () => {
    try {
      co.quote = await ctx.api.quote(JSON.parse(request) as OrderBody);
      co.unavailable.clear();
      co.error = "";
      co.closed = false;
    } catch (e) {
      co.quote = null;
      co.error = explain(ctx, e);
    }
    co.quoted = request;
    co.quoting = 0;
    ctx.render("cart");
  }, QUOTE_DELAY_MS);
}

function poll(ctx: Shop, code: string): void {
  const { co } = ctx;
  if (co.poll || TERMINAL.includes(ctx.order?.status ?? "")) return;
  co.poll = window.setTimeout(async () => {
    try {
      ctx.order = await ctx.api.order(code, ctx.store.get().token);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) ctx.store.update({ order: null });
    }
    co.polled = Date.now();
    co.poll = 0;
    ctx.render("cart");
  }, Math.max(0, co.polled + POLL_MS - Date.now()));
}

/** The cart is about to be shown: ask for the total of its lines (once per change) and keep the last
 * order's status fresh. The shell calls it each time it draws the cart; the view itself starts nothing. */
export function follow(ctx: Shop): void {
  if (!ctx.config.features.ordering) return;
  const { cart, order } = ctx.store.get();
  if (order) poll(ctx, order);
  if (cart.length) requote(ctx, wanted(ctx));
}

/** Change a line's quantity (0 removes it). */
export function change(ctx: Shop, itemId: string, quantity: number): void {
  const { store } = ctx;
  store.update({ cart: store.get().cart.flatMap((l) => l.itemId !== itemId ? [l] : quantity > 0 ? [{ ...l, quantity }] : []) });
  ctx.co.unavailable.delete(itemId);
  ctx.render();
}

export function note(ctx: Shop, itemId: string, text: string): void {
  const { store } = ctx;
  store.update({ cart: store.get().cart.map((l) => l.itemId === itemId ? { ...l, note: text } : l) });
}

export async function place(ctx: Shop): Promise<void> {
  const { co, store } = ctx;
  const order = body(ctx), fingerprint = JSON.stringify(order), previous = store.get().attempt;
  const attempt = previous?.body === fingerprint ? previous : { key: randomId(), body: fingerprint };
  store.update({ attempt });
  co.placing = true;
  co.error = "";
  ctx.render();
  try {
    const placed = await ctx.api.place(order, attempt.key);
    ctx.order = placed;
    co.polled = Date.now();
    store.update({ cart: [], attempt: null, order: placed.orderCode ?? null });
    ctx.announce(ctx.t("orderCode") + " " + placed.orderCode);
  } catch (e) {
    // a refusal needs a changed request (a new key); a lost answer or a 429 is retried with the same key
    if (e instanceof ApiError && e.status < 500 && e.status !== 429) store.update({ attempt: null });
    co.error = explain(ctx, e);
  }
  co.placing = false;
  ctx.render("cart");
}

/** Forget the last order (the "new order" button). */
export function newOrder(ctx: Shop): void {
  ctx.store.update({ order: null });
  ctx.order = null;
  ctx.render();
}
