// The widget's shell: a <stjarna-widget> host with a shadow root, the floating button, and a dialog
// with Menu, Assistant and Cart tabs. Keyboard: the button opens, Tab is trapped in the open panel,
// Escape closes and returns focus, arrow keys move between tabs. Views are rebuilt on each change;
// focus returns to the element with the same data-k.

import { ApiError, client, NetworkError } from "./api";
import { cartView, checkout } from "./cart-view";
import { chatView } from "./chat-view";
import { type Ctx, helpers } from "./context";
import { fill, h } from "./dom";
import { type Key, language, translator } from "./i18n";
import type { Options } from "./loader";
import { menuView } from "./menu-view";
import { MAX_QUANTITY, store } from "./store";
import { STYLES } from "./styles";
import type { MenuItem } from "./types";

const TABS = [["menu", menuView], ["assistant", chatView], ["cart", cartView]] as const;
type Tab = (typeof TABS)[number][0];
const FOCUSABLE = "button:not([disabled]),input,select,textarea,[tabindex='0']";

export const report = (message: string): void => console.error("[stjarna] " + message);

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
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b! > 0.18 ? "#111" : "#fff";
}

export function mount(opts: Options): void {
  const lang = language(opts.locale);
  const t = translator(lang);
  const api = client(opts.endpoint, opts.restaurantId);
  const saved = store(opts.restaurantId);
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
  const svg = (tag: string, attrs: Record<string, string>): SVGElement => {
    const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    return el;
  };
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

  root.addEventListener("keydown", (e) => {
    const ev = e as KeyboardEvent;
    if (panel.hidden) return;
    if (ev.key === "Escape") {
      ev.preventDefault();
      toggle(false);
    } else if (ev.key === "Tab") {
      const all = [...panel.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length && el.tabIndex >= 0);
      const first = all[0], last = all[all.length - 1];
      if (ev.shiftKey ? root.activeElement === first || !panel.contains(root.activeElement) : root.activeElement === last) {
        ev.preventDefault();
        (ev.shiftKey ? last : first)?.focus();
      }
    } else if ((ev.target as HTMLElement).getAttribute("role") === "tab") {
      const i = TABS.findIndex(([name]) => name === tab);
      const to = { ArrowRight: i + 1, ArrowLeft: i + 2, Home: 0, End: 2 }[ev.key];
      if (to !== undefined) {
        ev.preventDefault();
        select(TABS[to % 3]![0], true);
      }
    }
  });

  (document.body ?? document.documentElement).appendChild(host);
  if (opts.open) toggle(true);

  const fail = (friendly: "notAvailable" | "loadFailed", why: string): void => {
    report(why);
    host.setAttribute("data-state", "error");
    fill(view, h("p", { class: "err", role: "alert" }, t(friendly)), friendly === "loadFailed" && h("button", {
      class: "go", onclick: () => {
        host.remove();
        mount(opts);
      },
    }, t("retry")));
  };

  const rid = JSON.stringify(opts.restaurantId);
  Promise.all([api.config(), api.menu()]).then(([config, menu]) => {
    const items = new Map(menu.sections.flatMap((s) => s.items.map((i) => [i.id, i] as const)));
    title.textContent = menu.restaurant.name || config.name;
    theme(opts.themeColor ?? config.theme?.color);
    ctx = {
      opts, lang, t, api, store: saved, config, menu, items, order: null, co: checkout(),
      filters: { diets: new Set(), avoid: new Set() },
      chat: { messages: [], previous: null, local: false, busy: false, draft: "" },
      ...helpers(config, menu, t),
      add: (id) => add(items.get(id)), announce, render,
    };
    tablist.hidden = false;
    if (dinerOpened) saved.activate();
    host.setAttribute("data-state", "ready");
    render();
  }, async (e: unknown) => {
    if (e instanceof ApiError) {
      if (e.code === "ORIGIN_NOT_ALLOWED") {
        fail("notAvailable", `this page's origin (${location.origin}) is not on the allowedOrigins of restaurant ${rid}; `
          + "add it to the restaurant's menu file and re-import it (docs/menu-format.md).");
      } else if (e.code === "RESTAURANT_NOT_FOUND" || e.code === "RESTAURANT_ID_INVALID") {
        fail("notAvailable", `no live restaurant ${rid} at ${opts.endpoint} (${e.code}); check data-restaurant-id.`);
      } else {
        fail("loadFailed", `could not load restaurant ${rid} from ${opts.endpoint}: HTTP ${e.status} ${e.code}: ${e.message}`);
      }
    } else if (e instanceof NetworkError && await api.reachable()) {
      fail("notAvailable", `the API at ${opts.endpoint} refused this page's origin (${location.origin}) for restaurant ${rid}: `
        + "the origin is not on the restaurant's allowedOrigins, or the restaurant is not live (ORIGIN_NOT_ALLOWED or "
        + "RESTAURANT_NOT_FOUND; the browser's CORS error above has the details).");
    } else {
      fail("loadFailed", `could not reach the API at ${opts.endpoint} (${(e as Error).message}): the network is down, `
        + "data-endpoint is wrong, or the page's Content-Security-Policy (connect-src) does not allow it.");
    }
  });
}
