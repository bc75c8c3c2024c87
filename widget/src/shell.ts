// The widget's shell: a <stjarna-widget> host with a shadow root, the floating button, and a dialog
// with Menu, Assistant and Cart tabs. Views are rebuilt on each change; focus returns to the element
// with the same data-k. The shell is drawn at once; `ready` hands it the context once the config and
// the menu arrived (app.ts), and from then on it shows the views.

import { cartView } from "./cart-view";
import { chatView } from "./chat-view";
import { follow } from "./checkout";
import type { Ctx, T } from "./context";
import { fill, h } from "./dom";
import type { Key } from "./i18n";
import type { Options } from "./loader";
import { menuView } from "./menu-view";
import { MAX_QUANTITY, type Store } from "./store";
import { STYLES } from "./styles";
import type { MenuItem } from "./types";

export const TABS = [["menu", menuView], ["assistant", chatView], ["cart", cartView]] as const;
export type Tab = (typeof TABS)[number][0];

export interface Shell {
  host: HTMLElement;
  root: ShadowRoot;
  panel: HTMLElement;
  view: HTMLElement;
  title: HTMLElement;
  /** The theme colour (a #rgb or #rrggbb; anything else: the default green). */
  theme(colour: string | null | undefined): void;
  tab(): Tab;
  /** Open or close the panel; a diner's open starts storage and moves the focus into the panel. */
  toggle(open: boolean, byDiner?: boolean): void;
  select(name: Tab, focus?: boolean): void;
  render(only?: Tab | null): void;
  announce(text: string): void;
  add(item: MenuItem | undefined): void;
  /** The config and the menu arrived: show the tabs and the views. */
  ready(ctx: Ctx): void;
}

function sheet(css: string): CSSStyleSheet {
  const s = new CSSStyleSheet();
  s.replaceSync(css);
  return s;
}

/** Dark or light text on the theme colour, whichever contrasts more. */
function onColour(hex: string): string {
  const full = hex.length === 4 ? hex.replace(/\w/g, "$&$&") : hex;
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b! > 0.18 ? "#000" : "#fff";
}

const svg = (tag: string, attrs: Record<string, string>): SVGElement => {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
};

export function shell(opts: Options, t: T, saved: Store): Shell {
  const host = document.createElement("stjarna-widget");
  host.setAttribute("data-stjarna", "");
  host.setAttribute("data-restaurant", opts.restaurantId);
  host.setAttribute("data-position", opts.position);
  host.setAttribute("data-state", "loading");
  const root = host.attachShadow({ mode: "open" });
  const theme = (colour: string | null | undefined): void => {
    const c = colour && /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i.test(colour) ? colour : "#1f6f5c";
    root.adoptedStyleSheets = [sheet(STYLES), sheet(`:host{--c:${c};--f:${onColour(c)}}`)];
  };
  theme(opts.themeColor);

  let tab: Tab = "menu";
  let ctx: Ctx | null = null;
  const title = h("h2", { id: "t" }, t("title"));
  const status = h("p", { class: "st", role: "status" });
  const live = h("div", { class: "sr", role: "status", "aria-live": "polite" });
  const view = h("div", { class: "v", id: "v", role: "tabpanel" }, h("p", {}, t("loading")));
  const tabs = TABS.map(([name]) => h("button", {
    role: "tab", id: "tab-" + name, "aria-controls": "v", "data-k": "tab-" + name,
    onclick: () => select(name),
  }, t(name as Key)));
  const tablist = h("div", { role: "tablist", "aria-label": t("title"), hidden: true }, tabs);
  const close = h("button", { class: "x", "data-k": "close", "aria-label": t("close"), onclick: () => toggle(false) }, "×");
  const panel = h("div", { class: "panel", role: "dialog", "aria-modal": "true", "aria-labelledby": "t", hidden: true },
    h("header", {}, h("div", {}, title, status), close), tablist, view, live);
  const icon = svg("svg", { viewBox: "0 0 24 24", "aria-hidden": "true" });
  icon.append(svg("path", { d: "M4 6h16v2H4zm0 5h16v2H4zm0 5h10v2H4z" }));
  const count = h("span", { class: "n", hidden: true });
  const fab = h("button", { class: "fab", "data-k": "fab", "aria-haspopup": "dialog", "aria-expanded": "false",
                            onclick: () => toggle(Boolean(panel.hidden), true) }, icon, t("fab"), count);
  root.append(panel, fab);

  let dinerOpened = false; // storage starts with the diner's own open, once the widget works here
  function toggle(open: boolean, byDiner = false): void {
    if (open && byDiner) {
      dinerOpened = true;
      if (ctx) saved.activate();
    }
    panel.hidden = !open;
    fab.setAttribute("aria-expanded", String(open));
    if (open) {
      render();
      // a page that starts the widget open (data-open) keeps its own focus; a diner's open moves it
      if (byDiner) (root.querySelector<HTMLElement>("[aria-selected=true]") ?? close).focus();
    } else {
      fab.focus();
    }
  }

  function select(name: Tab, focus = false): void {
    tab = name;
    render();
    if (focus) root.getElementById("tab-" + name)?.focus();
  }

  function render(only?: Tab | null): void {
    const lines = saved.get().cart.reduce((n, l) => n + l.quantity, 0);
    count.textContent = String(lines);
    count.hidden = !lines;
    fab.setAttribute("aria-label", t("fab") + (lines ? ", " + t("inCart", lines) : ""));
    if (!ctx || panel.hidden) return;
    const state = ctx.hours();
    const label = !state ? "" : state.open ? t("open") : t("closed") + (ctx.opens() ? " · " + t("opens", ctx.opens()) : "");
    if (status.textContent !== label) status.textContent = label;
    tabs.forEach((b, i) => {
      const on = TABS[i]![0] === tab;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
      if (i === 2) b.textContent = t("cart") + (lines ? ` (${lines})` : "");
    });
    if (only === null || (only && only !== tab)) return;
    view.setAttribute("aria-labelledby", "tab-" + tab);
    const active = root.activeElement as HTMLInputElement | null;
    const focused = active?.dataset.k, caret = active?.selectionStart;
    ctx.chat.view = undefined;
    view.className = tab === "assistant" ? "v chat" : "v";
    if (tab === "cart") follow(ctx); // the cart on screen: its quote and the order's status (timers) start here
    fill(view, TABS.find(([name]) => name === tab)![1](ctx));
    if (focused && !root.activeElement) {
      const again = root.querySelector<HTMLInputElement>(`[data-k="${CSS.escape(focused)}"]`);
      (again ?? root.getElementById("tab-" + tab))?.focus();
      if (again?.tagName === "INPUT" && caret != null) again.setSelectionRange(caret, caret);
    }
  }

  function add(item: MenuItem | undefined): void {
    if (!item) return;
    saved.activate();
    const cart = saved.get().cart;
    const line = cart.find((l) => l.itemId === item.id);
    saved.update({ cart: line ? cart.map((l) => l === line ? { ...l, quantity: Math.min(MAX_QUANTITY, l.quantity + 1) } : l)
                                : [...cart, { itemId: item.id, quantity: 1, note: "" }] });
    announce(t("added", item.name));
    render("cart");
  }

  function announce(text: string): void {
    live.textContent = "";
    setTimeout(() => (live.textContent = text), 50);
  }

  return {
    host, root, panel, view, title, theme, tab: () => tab, toggle, select, render, announce, add,
    ready(c) {
      ctx = c;
      tablist.hidden = false;
      if (dinerOpened) saved.activate();
      host.setAttribute("data-state", "ready");
      render();
    },
  };
}
