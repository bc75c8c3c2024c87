// The launcher: the <stjarna-widget> host with its shadow root and the floating button, drawn by the
// loader (widget.js) once the restaurant's config has answered (main.ts), in data-theme-color or the
// config's colour; only after an outage (no config yet) a neutral dark grey until the config arrives
// (then its theme colour, else the default green): a launcher never flashes a colour it then drops.
// The panel (shell.ts) fills the same shadow root.

import type { Options } from "./loader";

export const DEFAULT_COLOUR = "#1f6f5c";
const NEUTRAL = "#333333";
const HEX = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const LABELS: Record<string, string> = { en: "Menu", sv: "Meny", de: "Menü", fr: "Menu", es: "Menú" };

// The launcher's own rules (the panel's stylesheet, styles.ts, repeats them with the rest); see styles.ts
// for why the host's rules are !important.
const CSS = `:host{all:initial!important;position:fixed!important;z-index:2147483000!important;bottom:16px!important;right:16px!important;display:block!important;font:15px/1.45 system-ui,sans-serif!important;color:#1b1b1b!important}
:host([data-position=left]){left:16px!important;right:auto!important}
*{box-sizing:border-box;font:inherit;color:inherit}
[hidden]{display:none!important}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
.fab{display:flex;align-items:center;gap:8px;border:0;border-radius:28px;min-height:52px;padding:0 20px;font-weight:600;box-shadow:0 4px 16px #0005;cursor:pointer;background:var(--c);color:var(--f)}
.fab svg{width:22px;fill:currentColor}
.n{background:var(--f);color:var(--c);border-radius:10px;padding:0 7px;font-size:13px}`;

export interface Launcher {
  host: HTMLElement;
  root: ShadowRoot;
  fab: HTMLButtonElement;
  count: HTMLElement;
  /** Colour the widget: a #rgb or #rrggbb, else the default green; `extra` is the panel's stylesheet. */
  theme(colour: string | null | undefined, extra?: CSSStyleSheet): void;
}

function sheet(css: string): CSSStyleSheet {
  const s = new CSSStyleSheet();
  s.replaceSync(css);
  return s;
}

/** Dark or light text on the theme colour, whichever contrasts more. */
export function onColour(hex: string): string {
  const full = hex.length === 4 ? hex.replace(/\w/g, "$&$&") : hex;
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(full.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b! > 0.18 ? "#000" : "#fff";
}

export function launcher(opts: Options, lang: string): Launcher {
  const host = document.createElement("stjarna-widget");
  host.setAttribute("data-stjarna", "");
  host.setAttribute("data-restaurant", opts.restaurantId);
  host.setAttribute("data-position", opts.position);
  host.setAttribute("data-state", "idle");
  const root = host.attachShadow({ mode: "open" });
  const base = sheet(CSS);
  let panel: CSSStyleSheet | undefined;
  const theme = (colour: string | null | undefined, extra?: CSSStyleSheet): void => {
    panel = extra ?? panel;
    const c = colour && HEX.test(colour) ? colour : DEFAULT_COLOUR;
    root.adoptedStyleSheets = [base, ...(panel ? [panel] : []), sheet(`:host{--c:${c};--f:${onColour(c)}}`)];
  };
  theme(opts.themeColor ?? NEUTRAL);

  const ns = "http://www.w3.org/2000/svg";
  const icon = document.createElementNS(ns, "svg"), path = document.createElementNS(ns, "path");
  icon.setAttribute("viewBox", "0 0 24 24");
  icon.setAttribute("aria-hidden", "true");
  path.setAttribute("d", "M4 6h16v2H4zm0 5h16v2H4zm0 5h10v2H4z");
  icon.append(path);
  const count = document.createElement("span");
  count.className = "n";
  count.hidden = true;
  const fab = document.createElement("button");
  fab.type = "button";
  fab.className = "fab";
  fab.dataset.k = "fab";
  fab.setAttribute("aria-haspopup", "dialog");
  fab.setAttribute("aria-expanded", "false");
  fab.append(icon, LABELS[lang] ?? "Menu", count);
  root.append(fab);
  return { host, root, fab, count, theme };
}
