// Mounting the widget: the shell (shell.ts) and its keyboard (keyboard.ts) at once, then the loading
// of the config and the menu, which builds the views' context, or a precise message (for the page's
// developer, in the console) and a friendly one (for the diner) when the restaurant cannot be loaded.

import { ApiError, type Client, client, NetworkError } from "./api";
import { checkout } from "./checkout";
import { helpers, type T } from "./context";
import { fill, h } from "./dom";
import { type Lang, language, translator } from "./i18n";
import { keyboard } from "./keyboard";
import type { Options } from "./loader";
import { type Shell, shell } from "./shell";
import { type Store, store } from "./store";

export const report = (message: string): void => console.error("[stjarna] " + message);

export function mount(opts: Options): void {
  const lang = language(opts.locale);
  const t = translator(lang);
  const api = client(opts.endpoint, opts.restaurantId);
  const saved = store(opts.restaurantId);
  const ui = shell(opts, t, saved);
  keyboard(ui);
  (document.body ?? document.documentElement).appendChild(ui.host);
  if (opts.open) ui.toggle(true);
  load(opts, lang, t, api, saved, ui);
}

/** Load the config and the menu into the shell, or tell why not. */
function load(opts: Options, lang: Lang, t: T, api: Client, saved: Store, ui: Shell): void {
  const fail = (friendly: "notAvailable" | "loadFailed", why: string): void => {
    report(why);
    ui.host.setAttribute("data-state", "error");
    fill(ui.view, h("p", { class: "err", role: "alert" }, t(friendly)), friendly === "loadFailed" && h("button", {
      class: "go", onclick: () => {
        ui.host.remove();
        mount(opts);
      },
    }, t("retry")));
  };

  const rid = JSON.stringify(opts.restaurantId);
  Promise.all([api.config(), api.menu()]).then(([config, menu]) => {
    const items = new Map(menu.sections.flatMap((s) => s.items.map((i) => [i.id, i] as const)));
    ui.title.textContent = menu.restaurant.name || config.name;
    ui.theme(opts.themeColor ?? config.theme?.color);
    ui.ready({
      opts, lang, t, api, store: saved, config, menu, items, order: null, co: checkout(),
      filters: { diets: new Set(), avoid: new Set() },
      chat: { messages: [], previous: null, local: false, busy: false, draft: "" },
      ...helpers(config, menu, lang),
      add: (id) => ui.add(items.get(id)), announce: ui.announce, render: ui.render,
    });
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
