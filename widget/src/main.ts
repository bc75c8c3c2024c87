// The loader (widget.js, a classic script): read and validate its <script> tag, fetch the restaurant's
// config, and only once it has answered draw the launcher (launcher.ts, in the config's colour),
// register the widget with window.Stjarna (page-api.ts), and load the panel chunk (panel.<hash>.js,
// with the language's chunk) from its own directory: on the first interaction (the button,
// data-open, a Stjarna call), or once the page has loaded and the browser is idle. The panel then
// fetches the menu. When the config is refused, the failure chunk's `refused` tells why (debug.ts): a
// site that is not allowed, or an unknown restaurant, shows the public nothing, never a launcher
// that then goes away; an outage draws the launcher and the panel retries (docs/widget.md).

import type { Lang, Strings } from "./i18n";
import { language } from "./i18n";
import { launcher } from "./launcher";
import { chunkBase, type Options, pageLocale, readOptions } from "./loader";
import { type PageEvent, type PageTab, listen, register, TAB_NAMES } from "./page-api";
import type { Shell } from "./shell";
import type { Config } from "./types";

declare const CHUNKS: { panel: string; debug: string } & Partial<Record<Lang, string>>; // the chunks' file names, set by build.mjs
type Panel = typeof import("./panel");

const report = (message: string): void => console.error("[stjarna] " + message);
const unloadable = (url: string, e: unknown): void => report(`could not load the widget from ${url} (${String(e)}): `
  + "the network is down, or the page's Content-Security-Policy (script-src) does not allow that origin.");

/** Draw the launcher: `config` as the loader got it, or null after a transient failure (`failed`, the panel retries). */
function start(options: Options, base: string, script: Element, config: Config | null, failed?: unknown): void {
  const lang = language(options.locale);
  const ui = launcher(options, lang);
  if (config) ui.theme(options.themeColor ?? config.theme?.color);
  const restaurant = options.restaurantId;
  const emit = (event: PageEvent, detail?: Record<string, unknown>): void => {
    ui.host.dispatchEvent(new CustomEvent("stjarna:" + event, { bubbles: true, composed: true,
                                                                detail: { restaurant, ...detail } }));
  };

  let panel: Promise<Shell | null> | null = null;
  let shown: Shell | null = null; // the panel, once mounted
  const load = (): Promise<Shell | null> => (panel ??= (async () => {
    const file = CHUNKS[lang];
    const strings = file ? (import(base + file) as Promise<{ default: Strings }>).then((m) => m.default, (e: unknown) => {
      report(`could not load the ${lang} strings from ${base + file} (${String(e)}); showing English.`);
      return undefined;
    }) : undefined;
    try {
      const { mount } = await (import(base + CHUNKS.panel) as Promise<Panel>);
      return (shown = mount(options, { launcher: ui, strings: await strings, base, emit, config, failed }));
    } catch (e) {
      panel = null; // the next interaction tries again
      unloadable(base + CHUNKS.panel, e);
      return null;
    }
  })());
  // every action waits for the panel; actions before it loaded run in order once it has
  const act = (f: (shell: Shell) => void): void => void load().then((shell) => shell && f(shell));
  const open = (shell: Shell): void => {
    if (shell.panel.hidden) shell.toggle(true, true);
  };

  // a click while the panel is still loading means "open" (a second one must not close it again)
  ui.fab.addEventListener("click", () => act(shown ? (shell) => shell.toggle(Boolean(shell.panel.hidden), true) : open));
  register({
    restaurant, script,
    open: () => act(open),
    close: () => act((shell) => shell.panel.hidden || shell.toggle(false)),
    openTab(tab: PageTab) {
      if (!TAB_NAMES.includes(tab)) {
        console.warn(`[stjarna] openTab(tab): tab is one of ${TAB_NAMES.join(", ")}; got ${JSON.stringify(tab)}.`);
        return;
      }
      act((shell) => {
        shell.select(tab);
        open(shell);
      });
    },
    on: (event, fn) => listen(ui.host, event, fn),
  });
  (document.body ?? document.documentElement).appendChild(ui.host);
  if (options.open) act((shell) => shell.toggle(true));
  if (!config) void load(); // the panel says what is wrong and retries

  // prefetch: after the page's own load, when the browser is idle (Safari has no requestIdleCallback)
  const idle = (): void => {
    if ("requestIdleCallback" in window) requestIdleCallback(() => void load(), { timeout: 4000 });
    else setTimeout(() => void load(), 1000);
  };
  if (document.readyState === "complete") idle();
  else addEventListener("load", idle, { once: true });
}

const script = document.currentScript as HTMLScriptElement | null;
if (!script || !script.src) {
  report("could not find its own <script> tag; load widget.js with a plain <script src=…> (not as a module).");
} else {
  const { options, errors, warnings } = readOptions(script, pageLocale(document.documentElement.lang, navigator.language));
  warnings.forEach((w) => console.warn("[stjarna] " + w));
  errors.forEach(report);
  if (options) {
    const base = chunkBase(script.src), id = options.restaurantId;
    // claimed at once: a second tag for the same restaurant may run before the first one's config answers
    const claimed = ((window as unknown as Record<symbol, Set<string>>)[Symbol.for("stjarna.claimed")] ??= new Set());
    if (claimed.has(id) || document.querySelector(`stjarna-widget[data-restaurant="${id}"]`)) {
      console.warn(`[stjarna] the widget for ${id} is already on this page; ignoring the second <script>.`);
    } else {
      claimed.add(id);
      const url = `${options.endpoint}/api/public/config?restaurantId=${encodeURIComponent(id)}`;
      const draw = (config: Config | null, failed?: unknown): void => {
        if (document.body) start(options, base, script, config, failed);
        else document.addEventListener("DOMContentLoaded", () => start(options, base, script, config, failed), { once: true });
      };
      fetch(url, { credentials: "omit", signal: AbortSignal.timeout(10000) })
        .then((r) => (r.ok ? r.json() : Promise.reject(r)) as Promise<Config>)
        .then(draw, (answer: unknown) => (import(base + CHUNKS.debug) as Promise<typeof import("./debug")>).then(
          ({ refused }) => refused(options, { answer, version: CHUNKS.panel, draw }),
          (e: unknown) => unloadable(base + CHUNKS.debug, e)));
    }
  }
}
