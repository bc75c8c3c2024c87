// The cart and checkout: quantities and notes, the server's total (POST /api/orders/quote) before
// placing, the pickup order (POST /api/orders with one Idempotency-Key per attempt, reused on retry)
// and then its code and status, polled from GET /api/orders/{code}. Ordering is off when the config
// says so or while the restaurant is closed.

import { ApiError, type OrderBody } from "./api";
import type { Ctx } from "./context";
import { type Child, h } from "./dom";
import { MAX_NOTE, MAX_QUANTITY, randomId } from "./store";
import type { Order } from "./types";

const TERMINAL = ["picked_up", "cancelled", "expired"];
const POLL_MS = 15000;

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

export const checkout = (): Checkout =>
  ({ quote: null, quoted: "", closed: null, quoting: 0, unavailable: new Set(), error: "", placing: false, poll: 0,
     polled: 0 });

function body(ctx: Ctx): OrderBody {
  const { token, cart } = ctx.store.get();
  return {
    restaurantId: ctx.opts.restaurantId, sessionToken: token,
    items: cart.map(({ itemId, quantity, note }) => (note.trim() ? { itemId, quantity, note: note.trim() } : { itemId, quantity })),
  };
}

/** The diner's message for an order or quote error (and which items are unavailable). */
function explain(ctx: Ctx, e: unknown): string {
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
  return e.status === 429 ? t("rateLimited", e.retryAfter ?? 30) : t("orderFailed", e.message);
}

function requote(ctx: Ctx, wanted: string): void {
  const { co } = ctx;
  if (co.quoting || co.quoted === wanted) return;
  co.quoting = window.setTimeout(async () => {
    try {
      co.quote = await ctx.api.quote(JSON.parse(wanted) as OrderBody);
      co.unavailable.clear();
      co.error = "";
      co.closed = false;
    } catch (e) {
      co.quote = null;
      co.error = explain(ctx, e);
    }
    co.quoted = wanted;
    co.quoting = 0;
    ctx.render("cart");
  }, 300);
}

async function place(ctx: Ctx): Promise<void> {
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

function orderView(ctx: Ctx, code: string): Child[] {
  const { t, co, order } = ctx;
  if (!co.poll && !TERMINAL.includes(order?.status ?? "")) {
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
  return [
    h("p", { class: "m" }, t("orderCode")),
    h("p", { class: "code" }, code),
    order && [
      h("p", { class: "t", role: "status" }, t(order.status as "placed")),
      h("ul", {}, order.items.map((l) => h("li", { class: "r i" }, `${l.quantity} × ${l.name}`,
                                             h("span", { class: "p" }, ctx.money(l.lineTotalCents))))),
      h("p", { class: "t" }, t("total"), h("span", {}, ctx.money(order.totalCents))),
    ],
    h("p", { class: "m" }, t("pickup")),
    h("button", { class: "go", "data-k": "new", onclick: () => {
      ctx.store.update({ order: null });
      ctx.order = null;
      ctx.render();
    } }, t("newOrder")),
  ];
}

export function cartView(ctx: Ctx): Child[] {
  const { t, store, co } = ctx;
  if (!ctx.config.features.ordering) return [h("p", { role: "status" }, t("orderingOff"))];
  const { cart, order } = store.get();
  const placed = order ? orderView(ctx, order) : [];
  if (!cart.length) return placed.length ? placed : [h("p", { role: "status" }, t("empty"))];
  const change = (itemId: string, quantity: number): void => {
    store.update({ cart: store.get().cart.flatMap((l) => l.itemId !== itemId ? [l] : quantity > 0 ? [{ ...l, quantity }] : []) });
    co.unavailable.delete(itemId);
    ctx.render();
  };
  let estimate = 0;
  const lines = cart.map((line, n) => {
    const item = ctx.items.get(line.itemId), name = item?.name ?? "?", price = (item?.priceCents ?? 0) * line.quantity;
    estimate += price;
    const button = (k: string, label: string, quantity: number, text: string): HTMLElement =>
      h("button", { "data-k": k + n, "aria-label": t(label as "more", name), disabled: quantity > MAX_QUANTITY,
                    onclick: () => change(line.itemId, quantity) }, text);
    return h("li", { class: "c" },
      h("div", { class: "r" }, h("h4", {}, name), h("span", { class: "p" }, ctx.money(price))),
      (!item || co.unavailable.has(line.itemId)) && h("p", { class: "a w" }, t("unavailable", name)),
      h("div", { class: "q" },
        button("less", "less", line.quantity - 1, "−"),
        h("output", { "aria-label": t("quantity", name) }, line.quantity),
        button("more", "more", line.quantity + 1, "+"),
        button("rm", "remove", 0, "×")),
      h("input", { "data-k": "note" + n, maxlength: MAX_NOTE, value: line.note, "aria-label": t("note") + ": " + name,
                   placeholder: t("note"), oninput: (e) => {
                     const note = (e.target as HTMLInputElement).value;
                     store.update({ cart: store.get().cart.map((l) => l.itemId === line.itemId ? { ...l, note } : l) });
                   } }));
  });
  const wanted = JSON.stringify({ ...body(ctx), items: cart.map(({ itemId, quantity }) => ({ itemId, quantity })) });
  requote(ctx, wanted);
  const closed = co.closed ?? ctx.hours()?.open === false;
  const quote = co.quoted === wanted ? co.quote : null;
  return [
    placed,
    h("ul", {}, lines),
    h("p", { class: "t", role: "status" }, quote ? t("total") : t("estimate"),
      h("span", {}, quote ? ctx.money(quote.totalCents) : co.quoting ? t("checking") : ctx.money(estimate))),
    h("p", { class: "m" }, t("pickup")),
    co.error ? h("p", { class: "err", role: "alert" }, co.error)
      : closed && h("p", { class: "w" }, t("closedNow"), ctx.opens() && " " + t("opensAt", ctx.opens())),
    h("button", { class: "go", "data-k": "place", disabled: closed || co.placing || co.unavailable.size > 0,
                  onclick: () => void place(ctx) }, t(co.placing ? "placing" : "place")),
  ];
}
