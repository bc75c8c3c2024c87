// The cart: quantities and notes, the server's total once quoted (an estimate from the menu's prices
// until then), and the placed order's code and status. Ordering is off when the config says so or
// while the restaurant is closed. The state and the actions (quote, place, poll) are in checkout.ts;
// these views only read the state and wire buttons to the actions.

import { change, newOrder, note, place, wanted } from "./checkout";
import type { Ctx } from "./context";
import { type Child, h } from "./dom";
import { MAX_NOTE, MAX_QUANTITY } from "./store";

function orderView(ctx: Ctx, code: string): Child[] {
  const { t, order } = ctx;
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
    h("button", { class: "go", "data-k": "new", onclick: () => newOrder(ctx) }, t("newOrder")),
  ];
}

export function cartView(ctx: Ctx): Child[] {
  const { t, store, co } = ctx;
  if (!ctx.config.features.ordering) return [h("p", { role: "status" }, t("orderingOff"))];
  const { cart, order } = store.get();
  const placed = order ? orderView(ctx, order) : [];
  if (!cart.length) return placed.length ? placed : [h("p", { role: "status" }, t("empty"))];
  let estimate = 0;
  const lines = cart.map((line, n) => {
    const item = ctx.items.get(line.itemId), name = item?.name ?? "?", price = (item?.priceCents ?? 0) * line.quantity;
    estimate += price;
    const button = (k: string, label: string, quantity: number, text: string): HTMLElement =>
      h("button", { "data-k": k + n, "aria-label": t(label as "more", name), disabled: quantity > MAX_QUANTITY,
                    onclick: () => change(ctx, line.itemId, quantity) }, text);
    return h("li", { class: "c" },
      h("div", { class: "r" }, h("h4", {}, name), h("span", { class: "p" }, ctx.money(price))),
      (!item || co.unavailable.has(line.itemId)) && h("p", { class: "a w" }, t("unavailable", name)),
      h("div", { class: "q" },
        button("less", "less", line.quantity - 1, "−"),
        h("output", { "aria-label": t("quantity", name) }, line.quantity),
        button("more", "more", line.quantity + 1, "+"),
        button("rm", "remove", 0, "×")),
      h("input", { "data-k": "note" + n, maxlength: MAX_NOTE, value: line.note, "aria-label": t("note") + ": " + name,
                   placeholder: t("note"),
                   oninput: (e) => note(ctx, line.itemId, (e.target as HTMLInputElement).value) }));
  });
  const closed = co.closed ?? ctx.hours()?.open === false;
  const quote = co.quoted === wanted(ctx) ? co.quote : null;
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
