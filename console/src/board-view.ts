// The order board: four columns (placed, accepted, preparing, ready), one card per open order.
import { h } from "./dom";
import { age, clock, money } from "./format";
import type { Board, Order, Status } from "./types";

export const COLUMNS: [Status, string][] = [
  ["placed", "New"], ["accepted", "Accepted"], ["preparing", "Preparing"], ["ready", "Ready"]];

export interface CardActions {
  acknowledge(order: Order): void;
  accept(order: Order): void;
  advance(order: Order, to: Status): void;
  cancel(order: Order): void;
}

const NEXT: Partial<Record<Status, [Status, string]>> = {
  accepted: ["preparing", "Start preparing"], preparing: ["ready", "Ready"], ready: ["picked_up", "Picked up"]};

export function renderColumns(board: Board, fresh: Set<string>, pending: Set<string>, actions: CardActions):
    HTMLElement {
  const tz = board.restaurant.timezone;
  return h("div", { class: "columns" }, ...COLUMNS.map(([status, title]) => {
    const orders = board.orders.filter((o) => o.status === status);
    const id = `col-${status}`;
    return h("section", { class: `column column-${status}`, "aria-labelledby": id },
      h("h2", { id }, title, " ", h("span", { class: "count" }, `(${orders.length})`)),
      orders.length === 0 ? h("p", { class: "empty" }, "No orders") :
        h("ul", { class: "cards" }, ...orders.map((o) => h("li", {}, card(o, tz, fresh.has(o.orderId),
                                                                          pending.has(o.orderId), actions)))));
  }));
}

function card(o: Order, tz: string, isFresh: boolean, isPending: boolean, actions: CardActions): HTMLElement {
  const buttons: HTMLElement[] = [];
  const disabled = isPending ? true : null;
  if (o.status === "placed") {
    buttons.push(h("button", { type: "button", class: "primary", disabled, "data-key": `${o.orderCode}:accept`,
                               onclick: () => actions.accept(o) },
                   "Accept"));
  }
  const next = NEXT[o.status];
  if (next) {
    buttons.push(h("button", { type: "button", class: "primary", disabled, "data-key": `${o.orderCode}:${next[0]}`,
                               onclick: () => actions.advance(o, next[0]) }, next[1]));
  }
  if (o.status !== "ready") {
    buttons.push(h("button", { type: "button", class: "danger", disabled, "data-key": `${o.orderCode}:cancel`,
                               onclick: () => actions.cancel(o) },
                   "Cancel…"));
  }
  const label = `Order ${o.orderCode}${o.pickupName ? ` for ${o.pickupName}` : ""}${isFresh ? ", new" : ""}`;
  const article = h("article", {
    class: `card${isFresh ? " fresh" : ""}${isPending ? " pending" : ""}`, "data-order": o.orderCode,
    "aria-label": label, tabindex: isFresh ? 0 : -1,
    onclick: (e: Event) => { if (isFresh && !(e.target as Element).closest("button")) actions.acknowledge(o); },
    onkeydown: (e: Event) => {
      const key = (e as KeyboardEvent).key;
      if (isFresh && e.target === e.currentTarget && (key === "Enter" || key === " ")) {
        e.preventDefault();
        actions.acknowledge(o);
      }
    },
  },
    h("header", {},
      h("span", { class: "code" }, o.orderCode),
      isFresh ? h("span", { class: "badge" }, "New — tap to acknowledge") : null,
      h("span", { class: "age" }, age(o.placedAt))),
    o.pickupName ? h("p", { class: "who" }, o.pickupName) : null,
    o.pickupPhone ? h("p", { class: "phone" }, h("a", { href: `tel:${o.pickupPhone}` }, o.pickupPhone)) : null,
    o.pickupAt ? h("p", { class: "when" }, `Pickup at ${clock(o.pickupAt, tz)}`) : null,
    o.readyAt ? h("p", { class: "when" }, `Ready at ${clock(o.readyAt, tz)}`) : null,
    h("ul", { class: "lines" }, ...o.items.map((line) => h("li", {},
      h("span", { class: "qty" }, `${line.quantity}×`), " ", line.name,
      line.note ? h("span", { class: "note" }, `Note: ${line.note}`) : null))),
    h("p", { class: "total" }, money(o.totalCents, o.currency)),
    isPending ? h("p", { class: "sending", role: "status" }, "Sending…") : null,
    h("div", { class: "actions" }, ...buttons));
  return article;
}

export function renderRecent(board: Board): HTMLElement | null {
  if (board.recent.length === 0) return null;
  const tz = board.restaurant.timezone;
  return h("details", { class: "recent" }, h("summary", {}, `Finished today (${board.recent.length})`),
    h("ul", {}, ...board.recent.map((o) => h("li", {},
      h("span", { class: "code" }, o.orderCode), " ",
      o.status === "picked_up" ? "picked up" : o.status, " at ", clock(o.updatedAt, tz),
      o.pickupName ? ` · ${o.pickupName}` : "",
      o.cancelReason ? ` · “${o.cancelReason}”` : ""))));
}
