// The cart: quantities and notes, the server's total once quoted (an estimate from the menu's prices
// until then), the pickup details (name, phone, time), and the placed order's code, status, promised
// ready time and cancellation reason. Ordering is off when the config says so, while the kitchen paused
// it, and while the restaurant is closed unless it offers pickup slots (order for later); the banner
// says which. The state and the actions (quote, slots, place, poll) are in checkout.ts; these views only
// read the state and wire controls to the actions.

import { asap, change, clock, detail, MAX_NAME, newOrder, note, orderable, openNow, pauseText, paused, place,
         wanted } from "./checkout";
import type { Ctx } from "./context";
import { type Child, h } from "./dom";
import { MAX_NOTE, MAX_QUANTITY } from "./store";

/** Why ordering is paused or closed, and when it opens (menu and cart); nothing while orders are taken now. */
export function banner(ctx: Ctx): Child {
  const { t, co } = ctx;
  if (!ctx.config.features.ordering) return null;
  const busy = pauseText(ctx);
  if (busy) return h("p", { class: "bn", role: "status" }, busy);
  if (openNow(ctx) !== false) return null;
  const opens = ctx.opens();
  if (co.slots?.slots.length) return h("p", { class: "bn", role: "status" }, t("closedLater", opens || co.slots.slots[0]!.local));
  return h("p", { class: "bn", role: "status" }, t("closedNow"), opens && " " + t("opensAt", opens));
}

function orderView(ctx: Ctx, code: string): Child[] {
  const { t, order } = ctx;
  const status = order?.status ?? "";
  const ready = order?.readyAt && ["accepted", "preparing"].includes(status) ? clock(ctx, order.readyAt) : "";
  return [
    // the focus comes here once the order is placed (#18, defect 8): the heading, then the code
    h("h3", { class: "oc", tabindex: -1, "data-k": "confirm" }, t("orderCode")),
    h("p", { class: "code" }, code),
    order && [
      h("p", { class: "t", role: "status" }, t(status as "placed"), ready && h("span", {}, t("readyAt", ready))),
      status === "cancelled" && order.cancelReason && h("p", { class: "w" }, t("cancelReason", order.cancelReason)),
      h("ul", {}, order.items.map((l) => h("li", { class: "r i" }, `${l.quantity} × ${l.name}`,
                                             h("span", { class: "p" }, ctx.money(l.lineTotalCents))))),
      h("p", { class: "t" }, t("total"), h("span", {}, ctx.money(order.totalCents))),
    ],
    h("p", { class: "m" }, order?.pickupAt ? t("pickupAt", clock(ctx, order.pickupAt, true)) + " " + t("payAtPickup")
      : t("pickup")),
    h("button", { class: "go", "data-k": "new", onclick: () => newOrder(ctx) }, t("newOrder")),
  ];
}

/** A labelled field with its message (aria-invalid and -describedby when the server or the widget refused it). */
function field(ctx: Ctx, k: "name" | "phone" | "when", label: string, control: HTMLElement): HTMLElement {
  const error = ctx.co.invalid[k];
  control.id = "f-" + k;
  control.dataset.k = k;
  control.setAttribute("aria-invalid", String(!!error));
  if (error) control.setAttribute("aria-describedby", "e-" + k);
  return h("div", { class: "fd" }, h("label", { for: "f-" + k }, label), control,
           error && h("p", { class: "err", id: "e-" + k }, error));
}

/** The pickup details: a name (required), a phone (optional; the server validates it), and the time. */
function pickupForm(ctx: Ctx): Child[] {
  const { t, co, lang } = ctx;
  const slots = co.slots?.slots ?? [];
  const now = asap(ctx);
  const value = (e: Event): string => (e.target as HTMLInputElement).value;
  let time: Child = h("p", { class: "m" }, t("pickup"));
  if (slots.length) {
    const chosen = co.when || (now ? "asap" : "");
    const days = new Map<string, typeof slots>();
    for (const s of slots) days.set(s.date, [...(days.get(s.date) ?? []), s]);
    const day = (date: string): string => {
      const [y, m, d] = date.split("-").map(Number);
      return new Intl.DateTimeFormat(lang, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" })
        .format(Date.UTC(y!, m! - 1, d!));
    };
    // a choice the diner makes: nothing is picked for them when "as soon as possible" is not offered
    time = [field(ctx, "when", t("pickupTime"), h("select", { required: true, onchange: (e) => detail(ctx, "when", value(e)) },
      now ? h("option", { value: "asap", selected: chosen === "asap" }, t("asap"))
        : h("option", { value: "", selected: !chosen }, t("chooseTime")),
      [...days].map(([date, list]) => h("optgroup", { label: day(date) },
        list.map((s) => h("option", { value: s.at, selected: chosen === s.at }, s.local)))))),
      h("p", { class: "m" }, t("payAtPickup"))];
  } else if (co.invalid.when) {
    time = h("p", { class: "err", role: "alert", tabindex: -1, "data-k": "when" }, co.invalid.when);
  }
  return [
    field(ctx, "name", t("pickupName"), h("input", { autocomplete: "name", maxlength: MAX_NAME, required: true,
                                                    value: co.name, oninput: (e) => detail(ctx, "name", value(e)) })),
    field(ctx, "phone", t("pickupPhone"), h("input", { type: "tel", autocomplete: "tel", inputmode: "tel", maxlength: 32,
                                                      value: co.phone, oninput: (e) => detail(ctx, "phone", value(e)) })),
    time,
  ];
}

export function cartView(ctx: Ctx): Child[] {
  const { t, store, co } = ctx;
  if (!ctx.config.features.ordering) return [h("p", { role: "status" }, t("orderingOff"))];
  const { cart, order } = store.get();
  const placed = order ? orderView(ctx, order) : [];
  if (!cart.length) return placed.length ? placed : [banner(ctx), h("p", { role: "status" }, t("empty"))];
  let estimate = 0;
  const lines = cart.map((line, n) => {
    const item = ctx.items.get(line.itemId), name = item?.name ?? "?", price = (item?.priceCents ?? 0) * line.quantity;
    estimate += price;
    const button = (k: string, label: string, quantity: number, text: string): HTMLElement =>
      h("button", { "data-k": k + n, "aria-label": t(label as "more", name), disabled: quantity > MAX_QUANTITY,
                    onclick: () => change(ctx, line.itemId, quantity) }, text);
    return h("li", { class: "c" },
      h("div", { class: "r" }, h("h3", {}, name), h("span", { class: "p" }, ctx.money(price))),
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
  const quote = co.quoted === wanted(ctx) ? co.quote : null;
  const can = orderable(ctx);
  return [
    placed,
    !co.error && banner(ctx), // an error says it already (a 409 ORDERING_PAUSED, RESTAURANT_CLOSED)
    h("ul", {}, lines),
    h("p", { class: "t", role: "status" }, quote ? t("total") : t("estimate"),
      h("span", {}, quote ? ctx.money(quote.totalCents) : co.quoting ? t("checking") : ctx.money(estimate))),
    can && pickupForm(ctx),
    co.error && h("p", { class: "err", role: "alert", tabindex: -1, "data-k": "error" }, co.error),
    h("button", { class: "go", "data-k": "place", disabled: !can || !!paused(ctx) || co.placing || co.unavailable.size > 0,
                  onclick: (e) => void place(ctx, (e.currentTarget as Element).getRootNode()) },
      t(co.placing ? "placing" : "place")),
  ];
}
