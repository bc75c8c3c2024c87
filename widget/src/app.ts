// Mounting the panel into the launcher (the panel chunk's entry, panel.ts, calls this): the shell
// (shell.ts) and its keyboard (keyboard.ts) at once, then the loading of the menu (and of the config,
// when the loader could not get it), which builds the views' context. When the restaurant cannot be
// loaded: a precise message for the page's developer (the console, naming the fix) and one for the
// diner. Four cases (docs/widget.md, "When something is wrong"), told apart by debug.ts (a chunk of
// its own, fetched only when something is wrong): the site is not allowed and the restaurant is
// unknown show the public nothing; the API unreachable and an API error (5xx, 429) are transient:
// the panel says so, retries with exponential backoff and jitter (api.ts `backoff`) and has a "Try
// again" button, and the menu appears by itself once the API is back.

import { backoff, type Client, client } from "./api";
import { checkout } from "./checkout";
import { helpers, type T } from "./context";
import type { Diagnosis } from "./debug";
import { fill, h } from "./dom";
import { type Lang, language, type Strings, translator } from "./i18n";
import { keyboard } from "./keyboard";
import type { Launcher } from "./launcher";
import type { Options } from "./loader";
import EN from "./locales/en";
import { type Emit, type Shell, shell } from "./shell";
import { type Store, store } from "./store";
import type { Config } from "./types";

declare const DEBUG_CHUNK: string; // the failure chunk's file name (debug.ts), set by build.mjs
type Debug = typeof import("./debug");

export const report = (message: string): void => console.error("[stjarna] " + message);

/** Where the panel finds its chunks (the loader's own directory) and how it tells the page; `config` as the
 * loader got it, or null with `failed`, the loader's failed answer (a Response or a fetch error). */
export interface Host {
  launcher: Launcher; strings: Strings | undefined; base: string; emit: Emit; config: Config | null; failed?: unknown;
}

export function mount(opts: Options, { launcher, strings, base, emit, config, failed }: Host): Shell {
  const lang = language(opts.locale);
  const t = translator(strings ?? EN, EN);
  const api = client(opts.endpoint, opts.restaurantId);
  const saved = store(opts.restaurantId);
  const ui = shell(opts, t, saved, launcher, emit);
  keyboard(ui);
  load(opts, lang, t, api, saved, ui, base, emit, config, failed);
  return ui;
}

/** Load the menu (and the config when the loader has none) into the shell; on failure tell why, and retry the transient. */
function load(opts: Options, lang: Lang, t: T, api: Client, saved: Store, ui: Shell, base: string, emit: Emit,
              known: Config | null, failed?: unknown): void {
  let tries = 0, last = "", timer = 0, run = 0; // run: the latest attempt (a "Try again" may overtake a retry)
  // the failure view: built once and only its texts change, so a focused "Try again" keeps the focus
  const text = h("p", { class: "err", role: "alert" }), note = h("p", {});
  // data-k: once the menu is in, the shell moves the focus from it to the tab (#18, defect 8: never to the body)
  const again = h("button", { class: "go", "data-k": "retry", onclick: () => attempt() }, t("retry"));

  const fail = async (e: unknown, mine = run): Promise<void> => {
    // the failure chunk; when it cannot be fetched either (the same host is down), the API is unreachable
    const m = await (import(base + DEBUG_CHUNK) as Promise<Debug>).catch(() => null);
    const d: Diagnosis = m ? await m.diagnose(e, api)
      : { trouble: "unreachable", status: 0, code: "", message: String(e), retryAfter: null, readable: false };
    if (m && (d.trouble === "notAllowed" || d.trouble === "unknown")) { // after an outage: take the launcher away
      ui.host.remove();
      m.tell(opts, d, api, new URL(import.meta.url).pathname.split("/").pop() ?? "");
      return;
    }
    // a hidden refusal once the launcher is drawn (the config answered, or the API was down): an outage
    const wait = d.trouble !== "error" || !d.status || d.status >= 500 || d.status === 429 || d.status === 408
      ? backoff(tries++, d.retryAfter) : 0;
    const retry = wait ? `retrying in ${Math.round(wait)} s.` : "it will not retry by itself.";
    if (d.trouble + d.code !== last) { // once per kind of failure, not per retry
      report(m ? m.explain(d, opts, retry) : `could not reach the API at ${opts.endpoint} (${d.message}); ${retry}`);
    }
    last = d.trouble + d.code;
    if (mine !== run) return;
    ui.host.setAttribute("data-state", "error");
    text.textContent = t(d.trouble === "unreachable" ? "unreachable" : wait ? "apiError" : "loadFailed");
    note.textContent = wait ? t("retrying") : "";
    if (!text.isConnected) fill(ui.view, text, note, again);
    if (wait) timer = window.setTimeout(attempt, wait * 1000);
  };

  const attempt = (): void => {
    clearTimeout(timer);
    const mine = ++run;
    ui.host.setAttribute("data-state", "loading");
    if (text.isConnected) note.textContent = t("loading");
    Promise.all([known ?? api.config(), api.menu()]).then(([config, menu]) => {
      known = config;
      if (mine !== run) return;
      const items = new Map(menu.sections.flatMap((s) => s.items.map((i) => [i.id, i] as const)));
      ui.title.textContent = menu.restaurant.name || config.name;
      ui.theme(opts.themeColor ?? config.theme?.color);
      ui.ready({
        opts, lang, t, api, store: saved, config, menu, items, order: null, co: checkout(),
        filters: { diets: new Set(), avoid: new Set() },
        chat: { messages: [], previous: null, local: false, busy: false, draft: "" },
        ...helpers(config, menu, lang),
        add: (id) => ui.add(items.get(id)), announce: ui.announce, render: ui.render, base, emit,
      });
    }, (e: unknown) => fail(e, mine));
  };

  if (failed === undefined) attempt();
  else void fail(failed);
}
