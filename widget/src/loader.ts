// Reads the widget's settings from its own <script> tag and validates them. Problems that stop the
// widget are returned as errors (the caller reports them and renders nothing); problems with an
// optional attribute are warnings, and the default is used.

export interface Options {
  restaurantId: string;
  endpoint: string; // origin plus an optional path prefix, no trailing slash
  locale: string;
  themeColor: string | null;
  position: "left" | "right";
  open: boolean;
}

export interface Loaded { options: Options | null; errors: string[]; warnings: string[] }

const REF = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;
const COLOR = /^#(?:[0-9a-f]{3}|[0-9a-f]{6})$/i;
const EXAMPLE = '<script src="https://API/widget.js" data-restaurant-id="your-slug" data-endpoint="https://API" async>';

function endpointOf(raw: string | null, src: string, errors: string[]): string {
  const given = raw !== null;
  let url: URL;
  try {
    url = new URL(given ? raw.trim() : src);
  } catch {
    errors.push(given
      ? `data-endpoint must be an absolute URL such as "https://api.example.com"; got ${JSON.stringify(raw)}.`
      : "data-endpoint is missing and the script's own URL is unknown; add data-endpoint=\"https://…\".");
    return "";
  }
  const local = /^(localhost|127\.0\.0\.1|\[::1\])$/.test(url.hostname);
  const problem = !/^https?:$/.test(url.protocol) ? "must use https"
    : url.protocol === "http:" && !local ? "must use https (plain http only for localhost)"
    : url.username || url.password ? "must not contain a user name or password"
    : url.search || url.hash ? "must not have a query string or fragment" : "";
  if (problem) {
    errors.push(`data-endpoint ${problem}; got ${JSON.stringify(given ? raw : src)}.`);
    return "";
  }
  return given ? (url.origin + url.pathname).replace(/\/+$/, "") : url.origin;
}

/** The tag's options; `pageLocale` (the page's or the browser's language) is the default for data-locale. */
export function readOptions(script: HTMLScriptElement, pageLocale: string): Loaded {
  const errors: string[] = [], warnings: string[] = [];
  const attr = (name: string): string | null => script.getAttribute("data-" + name);
  const id = attr("restaurant-id"), alias = attr("restaurant");
  const restaurantId = (id ?? alias ?? "").trim();
  if (!restaurantId) {
    errors.push(`missing data-restaurant-id on the <script> tag; embed it as ${EXAMPLE}`);
  } else if (!REF.test(restaurantId) || restaurantId.length > 64) {
    errors.push(`data-restaurant-id must be the restaurant's slug (a-z, 0-9, -) or UUID; got ${JSON.stringify(restaurantId)}.`);
  } else if (id !== null && alias !== null && id.trim() !== alias.trim()) {
    errors.push(`data-restaurant-id (${JSON.stringify(id)}) and data-restaurant (${JSON.stringify(alias)}) disagree; keep one.`);
  }
  const endpoint = endpointOf(attr("endpoint"), script.src, errors);

  let locale = pageLocale || "en";
  const wanted = attr("locale");
  if (wanted !== null) {
    try {
      locale = Intl.getCanonicalLocales(wanted.trim())[0] ?? locale;
    } catch {
      warnings.push(`data-locale ${JSON.stringify(wanted)} is not a language tag (e.g. "sv" or "en-GB"); using ${locale}.`);
    }
  }
  const color = attr("theme-color");
  if (color !== null && !COLOR.test(color.trim())) {
    warnings.push(`data-theme-color must be a hex colour such as "#1f6f5c"; got ${JSON.stringify(color)}.`);
  }
  const position = attr("position");
  if (position !== null && position !== "left" && position !== "right") {
    warnings.push(`data-position must be "left" or "right"; got ${JSON.stringify(position)}.`);
  }
  const open = attr("open");
  if (open !== null && !["", "true", "false"].includes(open)) {
    warnings.push(`data-open must be "true" or "false"; got ${JSON.stringify(open)}.`);
  }
  if (errors.length) return { options: null, errors, warnings };
  return {
    options: {
      restaurantId: restaurantId.toLowerCase(), endpoint, locale,
      themeColor: color !== null && COLOR.test(color.trim()) ? color.trim() : null,
      position: position === "left" ? "left" : "right",
      open: open === "" || open === "true",
    },
    errors, warnings,
  };
}

/** The page's language when the tag has no data-locale: its <html lang>, else the browser's ("en" if neither is a tag). */
export function pageLocale(htmlLang: string, browser: string): string {
  for (const tag of [htmlLang, browser]) {
    try {
      const found = tag.trim() && Intl.getCanonicalLocales(tag.trim())[0];
      if (found) return found;
    } catch {
      // not a language tag: the next
    }
  }
  return "en";
}

/** Where the chunks are: beside widget.<hash>.js (served from /widget/), in widget/ beside widget.js. */
export function chunkBase(src: string): string {
  const url = new URL(src);
  url.search = url.hash = "";
  return new URL(url.pathname.endsWith("/widget.js") ? "widget/" : ".", url).href;
}
