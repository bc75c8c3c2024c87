// The widget's shell: the dialog with Menu, Assistant and Cart tabs, in the shadow root of the
// launcher (launcher.ts: the <stjarna-widget> host and the floating button, drawn by the loader). Views are rebuilt on each change; focus returns to the element
// with the same data-k. The shell is drawn at once; `ready` hands it the context once the config and
// the menu arrived (app.ts), and from then on it shows the views.

import { cartView } from "./cart-view";
import { chatView } from "./chat-view";
import { follow } from "./checkout";
import type { Ctx, T } from "./context";
import { fill, h } from "./dom";
import type { Key } from "./i18n";
import type { Launcher } from "./launcher";
import type { Options } from "./loader";
import { menuView } from "./menu-view";
import { MAX_QUANTITY, type Store } from "./store";
import { STYLES } from "./styles";
import type { MenuItem } from "./types";

/** Tell the page (Stjarna.on and the host element's stjarna:* events, api-global.ts). */
export type Emit = (event: "open" | "close" | "order", detail?: Record<string, unknown>) => void;

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

const sheet = (css: string): CSSStyleSheet => {
  const s = new CSSStyleSheet();
  s.replaceSync(css);
  return s;
};

/** The panel, drawn into the launcher's shadow root (launcher.ts) when its chunk has loaded. */
export function shell(opts: Options, t: T, saved: Store, { host, root, fab, count, theme: colour }: Launcher,
                      emit: Emit): Shell {
  const styles = sheet(STYLES);
  const theme = (c: string | null | undefined): void => colour(c, styles);
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
    // a div, not a <header>: a header outside any sectioning element is a banner landmark, and the host page has its own
    h("div", { class: "hd" }, h("div", {}, title, status), close), tablist, view, live);
  root.prepend(panel);
  const phone = fit(panel, styles);

  let dinerOpened = false; // storage starts with the diner's own open, once the widget works here
  function toggle(open: boolean, byDiner = false): void {
    if (open && byDiner) {
      dinerOpened = true;
      if (ctx) saved.activate();
    }
    if (panel.hidden === open) emit(open ? "open" : "close");
    panel.hidden = !open;
    phone(open);
    fab.setAttribute("aria-expanded", String(open));
    if (open) {
      render();
      // a page that starts the widget open (data-open) keeps its own focus; a diner's open moves it
      // (without scrolling: on a phone the panel is pinned to the screen, and scrolling would move the page)
      if (byDiner) (root.querySelector<HTMLElement>("[aria-selected=true]") ?? close).focus({ preventScroll: true });
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
    count.textContent = " " + lines; // a flex item: the space is not drawn, but the text reads "Menu 1", not "Menu1"
    count.hidden = !lines;
    // the name starts with the button's visible text ("Menu 2"): speech users say what they see
    if (lines) fab.setAttribute("aria-label", t("fab") + " " + t("inCart", lines));
    else fab.removeAttribute("aria-label");
    if (!ctx || panel.hidden) return;
    const state = ctx.hours();
    const label = !state ? "" : state.open ? t("open") : t("closed") + (ctx.opens() ? " · " + t("opens", ctx.opens()) : "");
    if (status.textContent !== label) status.textContent = label;
    tabs.forEach((b, i) => {
      const on = TABS[i]![0] === tab;
      b.setAttribute("aria-selected", String(on));
      b.tabIndex = on ? 0 : -1;
      // the count is a badge beside the label (one line in every language at 320 px); its brackets are
      // there but not drawn (font-size 0): the name, from the text, is "Cart (1)"
      if (i === 2 && b.textContent !== t("cart") + (lines ? `(${lines})` : "")) {
        fill(b, t("cart"), lines > 0 && h("span", { class: "k" }, h("span", { class: "z" }, "("), lines,
                                          h("span", { class: "z" }, ")")));
      }
    });
    if (only === null || (only && only !== tab)) return;
    view.setAttribute("aria-labelledby", "tab-" + tab);
    const active = root.activeElement as HTMLInputElement | null;
    const focused = active?.dataset.k, caret = active?.selectionStart;
    ctx.chat.view = undefined;
    view.className = tab === "assistant" ? "v chat" : "v";
    // the slots when orders are not taken now (checkout.ts); the cart on screen: its quote and the order's status
    follow(ctx, tab === "cart");
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

/** On a phone (a screen 480 px wide or less) the open panel covers the visual viewport, not the layout viewport,
 * which a page wider than the screen makes wider than the screen (/demo's <pre>: 986 px): it is placed
 * and sized from the VisualViewport API, followed as it moves (pinch zoom, the on-screen keyboard), and
 * drawn at the screen's scale whatever the page's zoom. The host page's scroll is locked while it is
 * open; closing restores the page's own styles and its scroll position exactly. Returns the
 * open/close hook. The launcher is kept in the screen's corner the same way (on such a page the layout
 * viewport's corner is off screen), through two rules added to the panel's stylesheet. */
function fit(panel: HTMLElement, styles: CSSStyleSheet): (open: boolean) => void {
  const vv = window.visualViewport;
  const corner = [":host", ":host([data-position=left])"].map((sel) => {
    const rule = styles.cssRules[styles.insertRule(sel + "{}", styles.cssRules.length)] as CSSStyleRule;
    return rule.style;
  });
  const pin = (): void => {
    if (!vv) return;
    const right = innerWidth - vv.offsetLeft - vv.width, bottom = innerHeight - vv.offsetTop - vv.height;
    if (vv.scale === 1 && !vv.offsetLeft && !vv.offsetTop && right < 30 && bottom < 30) {
      // the screen is the layout viewport (the difference, if any, is a scrollbar): the stylesheet's 16 px
      for (const style of corner) for (const p of ["left", "right", "bottom"]) style.removeProperty(p);
      return;
    }
    const px = (n: number): string => Math.max(0, Math.round(n)) + 16 + "px";
    corner[0]!.setProperty("right", px(right), "important");
    corner[0]!.setProperty("bottom", px(bottom), "important");
    corner[1]!.setProperty("left", px(vv.offsetLeft), "important");
    corner[1]!.setProperty("right", "auto", "important");
  };
  const html = document.documentElement;
  let locked: { attr: boolean; overflow: string; overscroll: string; x: number; y: number } | null = null;
  const place = (): void => {
    pin();
    if (!vv || panel.hidden) return;
    const s = vv.scale || 1;
    const full = vv.width * s <= 480;
    panel.classList.toggle("full", full);
    const style = panel.style;
    if (!full) {
      for (const p of ["left", "top", "width", "height", "transform"]) style.removeProperty(p);
      return;
    }
    style.setProperty("left", vv.offsetLeft + "px");
    style.setProperty("top", vv.offsetTop + "px");
    style.setProperty("width", vv.width * s + "px");
    style.setProperty("height", vv.height * s + "px");
    style.setProperty("transform", s === 1 ? "none" : `scale(${1 / s})`);
  };
  const lock = (on: boolean): void => {
    if (on && !locked) {
      locked = { attr: html.hasAttribute("style"), overflow: html.style.getPropertyValue("overflow"),
                 overscroll: html.style.getPropertyValue("overscroll-behavior"), x: window.scrollX, y: window.scrollY };
      html.style.setProperty("overflow", "hidden");
      html.style.setProperty("overscroll-behavior", "none");
    } else if (!on && locked) {
      const { attr, overflow, overscroll, x, y } = locked;
      locked = null;
      for (const [p, v] of [["overflow", overflow], ["overscroll-behavior", overscroll]] as const) {
        if (v) html.style.setProperty(p, v);
        else html.style.removeProperty(p);
      }
      if (!attr) html.removeAttribute("style");
      window.scrollTo(x, y);
    }
  };
  const follow = (): void => {
    place();
    lock(!panel.hidden && panel.classList.contains("full"));
  };
  vv?.addEventListener("resize", follow);
  vv?.addEventListener("scroll", place);
  pin();
  // a swipe on the full-screen panel scrolls its lists (which do not hand the scroll on to the page:
  // overscroll-behavior) and nothing else: elsewhere (the header, the tabs) it would move the page
  panel.addEventListener("touchmove", (e) => {
    if (!panel.classList.contains("full")) return;
    if (!e.composedPath().some((el) => el instanceof HTMLElement && el.matches(".v,.log,.lb"))) e.preventDefault();
  }, { passive: false });
  return (open) => {
    if (open) follow();
    else lock(false);
  };
}
