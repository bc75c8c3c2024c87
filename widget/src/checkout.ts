// The checkout's state and actions: the server's total (POST /api/orders/quote) of the cart on screen,
// asked for 300 ms after the last change; the pickup details (a name, required; a phone, optional; a
// time: as soon as possible, or one of GET /api/public/pickup-slots, which also says whether the
// restaurant takes orders now); the pickup order (POST /api/orders with one Idempotency-Key per
// attempt, reused on retry); its status, polled from GET /api/orders/{code} every 15 s while the cart
// is on screen. Open or closed and paused are the server's word (the config, then the slots and the
// refusals), never the diner's clock (#18, defect 7). The views read this state; only these actions
// start timers or call the API. It takes the parts of the widget's context it needs (context.ts's Ctx
// has them all), so it imports neither the context nor the views.

import { ApiError, type Client, type OrderBody } from "./api";
import type { Key } from "./i18n";
import type { Options } from "./loader";
import { randomId, type Store } from "./store";
import type { Config, Menu, MenuItem, Order, Slots } from "./types";

const TERMINAL = ["picked_up", "cancelled", "expired"];
const POLL_MS = 15000;
const QUOTE_DELAY_MS = 300;
const SLOTS_MS = 60000; // the slots (and the server's word on open and paused) are asked again after this
export const MAX_NAME = 40;

export type Field = "name" | "phone" | "when";

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
  name: string; // the pickup details, in memory only (personal data: never stored)
  phone: string;
  when: string; // "asap", a slot's `at`, or "" (not chosen yet)
  invalid: Partial<Record<Field, string>>; // a field's message, shown at the field
  slots: Slots | null; // the last answer of GET /api/public/pickup-slots
  slotsAt: number; // when it was asked (0: never); Date.now() differences only, whatever the diner's clock says
  paused: { resumesAt: string | null } | null; // the kitchen paused ordering (a 409 ORDERING_PAUSED or the config)
  focus: string; // the data-k to focus once the cart is drawn again ("" none)
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
  config: Pick<Config, "features" | "ordering" | "open">;
  order: Order | null;
  co: Checkout;
  announce(text: string): void;
  render(only?: "cart" | null): void;
  emit(event: "order", detail: { code: string | undefined; totalCents: number; currency: string }): void;
}

export const checkout = (): Checkout =>
  ({ quote: null, quoted: "", closed: null, quoting: 0, unavailable: new Set(), error: "", placing: false, poll: 0,
     polled: 0, name: "", phone: "", when: "", invalid: {}, slots: null, slotsAt: 0, paused: null, focus: "" });

/** The kitchen's pause, from a refusal or the config (null: taking orders). */
export function paused(ctx: Shop): { resumesAt: string | null } | null {
  const { co, config } = ctx;
  return co.paused ?? (config.ordering?.paused ? { resumesAt: config.ordering.resumesAt } : null);
}

/** Open now, by the server: the config's word, corrected by the slots and the refusals since. */
export function openNow(ctx: Shop): boolean | null {
  return ctx.config.open ? ctx.config.open.now : null;
}

/** Whether a diner can order now for as soon as possible. */
export const asap = (ctx: Shop): boolean => !paused(ctx) && openNow(ctx) !== false;

/** Whether a diner can order at all: as soon as possible, or for a slot (known to exist). */
export function orderable(ctx: Shop): boolean {
  if (!ctx.config.features.ordering || paused(ctx)) return false;
  return asap(ctx) || (ctx.co.slots?.slots.length ?? 0) > 0;
}

/** The time the order is for: a slot's `at`, or undefined (as soon as possible). While nothing is chosen
 * and only slots are offered, the first slot (for the quote: the total does not depend on it). */
function pickupAt(ctx: Shop): string | undefined {
  const { when, slots } = ctx.co;
  if (when === "asap") return undefined;
  if (when) return when;
  return asap(ctx) ? undefined : slots?.slots[0]?.at;
}

function body(ctx: Shop): OrderBody {
  const { token, cart } = ctx.store.get();
  const at = pickupAt(ctx);
  return {
    restaurantId: ctx.opts.restaurantId, sessionToken: token,
    items: cart.map(({ itemId, quantity, note }) => (note.trim() ? { itemId, quantity, note: note.trim() } : { itemId, quantity })),
    ...(at ? { pickupAt: at } : {}),
  };
}

/** The request a quote is for: the cart's items and quantities (notes do not change the total) and the time. */
export function wanted(ctx: Shop): string {
  return JSON.stringify({ ...body(ctx), items: ctx.store.get().cart.map(({ itemId, quantity }) => ({ itemId, quantity })) });
}

/** "19:30" (or "Friday 19:30" on another day) in the restaurant's timezone. */
export function clock(ctx: Shop, iso: string, withDay = false): string {
  const at = new Date(iso);
  if (Number.isNaN(+at)) return "";
  try {
    return at.toLocaleString(ctx.opts.locale, { timeZone: ctx.menu.restaurant.timezone, hour: "2-digit", minute: "2-digit",
                                                hourCycle: "h23", ...(withDay ? { weekday: "long" } : {}) });
  } catch {
    return "";
  }
}

/** The words for the kitchen's pause: "The kitchen is busy — ordering reopens at 19:30." */
export function pauseText(ctx: Shop): string {
  const p = paused(ctx);
  if (!p) return "";
  const at = p.resumesAt ? clock(ctx, p.resumesAt) : "";
  return at ? ctx.t("paused", at) : ctx.t("pausedNoEnd");
}

/** A fresh list of slots (and the server's word on open and paused with it); redraws when it arrives. */
export function refreshSlots(ctx: Shop): void {
  const { co } = ctx;
  co.slotsAt = Date.now();
  ctx.api.slots().then((slots) => {
    co.slots = slots;
    const open = ctx.config.open;
    if (slots.asap) {
      co.paused = null; // open and not paused now, whatever the config said a moment ago
      if (open) open.now = true;
    } else if (open?.now && !paused(ctx)) {
      ctx.config.open = { now: false, nextChange: null }; // closed since the config came (the slots say when)
    }
    if (co.when && co.when !== "asap" && !slots.slots.some((s) => s.at === co.when)) co.when = ""; // gone: choose again
    if (co.when === "asap" && !asap(ctx)) co.when = "";
    ctx.render();
  }, () => {
    // unknown: the server still decides at the order; the next look at the cart asks again
    co.slotsAt = Date.now() - SLOTS_MS / 2;
  });
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
    co.closed = true;
    if (ctx.config.open) ctx.config.open = { now: false, nextChange: (e.data.nextOpeningAt as string | null) ?? null };
    refreshSlots(ctx);
    const at = e.data.nextOpeningAt ? clock(ctx, String(e.data.nextOpeningAt), true) : "";
    return t("closedNow") + (at ? " " + t("opensAt", at) : "");
  }
  if (e.code === "ORDERING_PAUSED") {
    co.paused = { resumesAt: (e.data.resumesAt as string | null) ?? null };
    return pauseText(ctx);
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
      co.paused = null;
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

/** A view is about to be shown: when the restaurant does not take orders for as soon as possible (or
 * the cart is on screen), make sure the slots are fresh; on the cart, ask for the total of its lines
 * (once per change) and keep the last order's status fresh. The shell calls it each time it draws a
 * view; the views themselves start nothing. */
export function follow(ctx: Shop, cart = true): void {
  if (!ctx.config.features.ordering) return;
  const { co } = ctx;
  if ((cart || !asap(ctx)) && (!co.slotsAt || Date.now() - co.slotsAt > SLOTS_MS || Date.now() < co.slotsAt)) {
    refreshSlots(ctx);
  }
  if (!cart) return;
  const { cart: lines, order } = ctx.store.get();
  if (order) poll(ctx, order);
  if (lines.length && (asap(ctx) || co.slots)) requote(ctx, wanted(ctx));
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

/** The diner typed in a pickup field or chose a time: kept (no redraw while typing), its message cleared. */
export function detail(ctx: Shop, field: Field, value: string): void {
  const { co } = ctx;
  if (field === "when") {
    co.when = value;
    delete co.invalid.when;
    ctx.render("cart"); // the quote follows the time
    return;
  }
  co[field] = value;
  if (co.invalid[field]) {
    delete co.invalid[field];
    ctx.render("cart");
  }
}

/** A short, stable fingerprint of an order body: the attempt's "same order?" check, kept in storage
 * without the diner's name and phone in the clear (cyrb53). */
function fingerprint(text: string): string {
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(36);
}

/** The pickup details' problems the widget sees itself (the server checks them again). */
function check(ctx: Shop): Field | null {
  const { co, t } = ctx;
  co.invalid = {};
  const name = co.name.trim();
  if (!name) co.invalid.name = t("nameMissing");
  else if (name.length > MAX_NAME) co.invalid.name = t("nameInvalid");
  if (!co.when && !asap(ctx)) co.invalid.when = t("timeMissing");
  return (["name", "when"] as const).find((f) => co.invalid[f]) ?? null;
}

/** The 422's fields the diner can fix (pickupName, pickupPhone, pickupAt), with their messages. */
function fieldErrors(ctx: Shop, e: ApiError): Field | null {
  const { co, t } = ctx;
  const paths = ((e.data.errors ?? []) as { path?: string }[]).map((x) => String(x.path ?? ""));
  const fields: [Field, string, Key][] = [["name", "pickupName", "nameInvalid"], ["phone", "pickupPhone", "phoneInvalid"],
                                          ["when", "pickupAt", "timeMissing"]];
  let first: Field | null = null;
  for (const [field, path, key] of fields) {
    if (paths.some((p) => p === path || p.endsWith("." + path))) {
      co.invalid[field] = t(key);
      first ??= field;
    }
  }
  if (first === "when") {
    co.when = "";
    refreshSlots(ctx);
  }
  return first;
}

/** Move the focus (after the cart is drawn again) into the shadow root the diner is in. */
function focusAfter(ctx: Shop, root: Node | null, k: string): void {
  ctx.co.focus = k;
  ctx.render("cart");
  const el = root instanceof ShadowRoot ? root.querySelector<HTMLElement>(`[data-k="${k}"]`) : null;
  if (el) {
    el.focus();
    ctx.co.focus = "";
  }
}

/** Place the order; `root` is the shadow root of the button pressed (the focus goes on in it: to the
 * confirmation, or to the field to fix; never to the page's body, #18 defect 8). */
export async function place(ctx: Shop, root: Node | null = null): Promise<void> {
  const { co, store } = ctx;
  const invalid = check(ctx);
  if (invalid) {
    focusAfter(ctx, root, invalid);
    return;
  }
  const phone = co.phone.trim();
  const order: OrderBody = { ...body(ctx), pickupName: co.name.trim(), ...(phone ? { pickupPhone: phone } : {}) };
  const print = fingerprint(JSON.stringify(order)), previous = store.get().attempt;
  const attempt = previous?.body === print ? previous : { key: randomId(), body: print };
  store.update({ attempt });
  co.placing = true;
  co.error = "";
  ctx.render();
  let next = "place";
  try {
    const placed = await ctx.api.place(order, attempt.key);
    ctx.order = placed;
    co.polled = Date.now();
    co.when = "";
    store.update({ cart: [], attempt: null, order: placed.orderCode ?? null });
    ctx.announce(ctx.t("orderCode") + " " + placed.orderCode);
    ctx.emit("order", { code: placed.orderCode, totalCents: placed.totalCents, currency: placed.currency });
    next = "confirm";
  } catch (e) {
    // a refusal needs a changed request (a new key); a lost answer or a 429 is retried with the same key
    if (e instanceof ApiError && e.status < 500 && e.status !== 429) store.update({ attempt: null });
    const field = e instanceof ApiError && e.status === 422 ? fieldErrors(ctx, e) : null;
    if (field) next = field;
    else if (e instanceof ApiError && e.code === "PICKUP_SLOT_FULL") {
      co.when = "";
      co.invalid.when = ctx.t("slotFull");
      refreshSlots(ctx);
      next = "when";
    } else {
      co.error = explain(ctx, e);
      next = "error"; // the message itself (Place may be disabled now: paused, closed)
    }
  }
  co.placing = false;
  focusAfter(ctx, root, next);
}

/** Forget the last order (the "new order" button). */
export function newOrder(ctx: Shop): void {
  ctx.store.update({ order: null });
  ctx.order = null;
  ctx.render();
}
