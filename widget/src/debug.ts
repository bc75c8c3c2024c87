// When something is wrong (debug.<hash>.js, a chunk of its own, fetched only then: by the loader when
// the config is refused, by the panel when a request fails; docs/widget.md, "When something is
// wrong"): which of the four cases it is (`diagnose`), the console's sentence naming the fix
// (`explain`), and the owner's diagnostic panel (`show`): shown only when the widget shows the public
// nothing (the site is not allowed, the restaurant is unknown) and the host page's URL has
// `?stjarna-debug` (query or hash). What the widget sent, what the API answered, and the fix. Like the
// launcher: a shadow root on its own element, one constructable stylesheet (no inline style or
// script, so it works under the strict CSP), plain buttons (Tab, Enter; Escape closes).

import { ApiError, backoff, type Client, client, failure, NetworkError } from "./api";
import { h } from "./dom";
import type { Options } from "./loader";
import type { Config } from "./types";

/** What went wrong: `refused` is an answer the browser hid (no CORS headers): not allowed or unknown. */
export type Trouble = "notAllowed" | "unknown" | "refused" | "unreachable" | "error";

export interface Diagnosis {
  trouble: Trouble;
  /** The HTTP status (0: no readable answer), the error's code and message, Retry-After in seconds. */
  status: number; code: string; message: string; retryAfter: number | null;
  /** Whether the page could read the answer (the API sent CORS headers). */
  readable: boolean;
}

/** Sort a failed request (an ApiError, a Response, or a fetch error) into the four cases. */
export async function diagnose(e: unknown, api: Client): Promise<Diagnosis> {
  const error = e instanceof Response ? await failure(e) : e;
  if (error instanceof ApiError) {
    const trouble: Trouble = error.code === "ORIGIN_NOT_ALLOWED" ? "notAllowed"
      : error.code === "RESTAURANT_NOT_FOUND" || error.code === "RESTAURANT_ID_INVALID" ? "unknown" : "error";
    return { trouble, status: error.status, code: error.code, message: error.message, retryAfter: error.retryAfter,
             readable: true };
  }
  const message = error instanceof NetworkError ? error.message
    : error instanceof DOMException && error.name === "TimeoutError" ? "timed out" : String(error);
  // a success whose body is not JSON (a proxy's page): an API error, retried
  const unreadable = error instanceof SyntaxError || message.startsWith("unreadable");
  // the API answers its own widget.js to any origin: if that works, the config was refused, not lost
  const answered = !unreadable && message !== "timed out" && await api.reachable();
  return { trouble: unreadable ? "error" : answered ? "refused" : "unreachable", status: 0, code: "", message,
           retryAfter: null, readable: false };
}

const report = (message: string): void => console.error("[stjarna] " + message);

/** The console's sentence for each case, naming the fix. */
export function explain(d: Diagnosis, opts: Options, retry: string): string {
  const rid = JSON.stringify(opts.restaurantId), origin = location.origin, at = opts.endpoint;
  const answer = d.status ? `HTTP ${d.status} ${d.code}: ${d.message}` : d.message;
  switch (d.trouble) {
    case "notAllowed":
      return `this page's origin (${origin}) is not on the allowedOrigins of restaurant ${rid} (${answer}), so the `
        + `widget shows nothing. Fix: stjarna tenant create --slug ${opts.restaurantId} --update --origin <each origin `
        + `to keep> --origin ${origin} (docs/operations.md). Add ?stjarna-debug to this page's URL for details.`;
    case "unknown":
      return `there is no live restaurant ${rid} at ${at} (${answer}), so the widget shows nothing. Fix: `
        + "data-restaurant-id must be the restaurant's slug as imported (stjarna tenant show), and the restaurant "
        + "live (stjarna tenant check). Add ?stjarna-debug to this page's URL for details.";
    case "refused":
      if (retry) { // the launcher is drawn: the config answered before, or the API was down
        return `the API at ${at} gave no readable answer for restaurant ${rid} (no CORS headers: an outage behind a `
          + `gateway that sends none, or a refusal); ${retry}`;
      }
      return `the API at ${at} refused this page's origin (${origin}) for restaurant ${rid}, so the widget shows nothing: `
        + "the origin is not on the restaurant's allowedOrigins (ORIGIN_NOT_ALLOWED), or there is no such live "
        + "restaurant (RESTAURANT_NOT_FOUND); the browser hid which (no CORS headers; its CORS error above has the "
        + `details). Fix: stjarna tenant check ${opts.restaurantId} --origin ${origin} says which (docs/operations.md). `
        + "The widget asks again for two minutes in case an outage hides behind it.";
    case "unreachable":
      return `could not reach the API at ${at} (${answer}): the API is down, the network is, data-endpoint is wrong, or `
        + `the page's Content-Security-Policy (connect-src) does not allow it; ${retry}`;
    default:
      return `the API at ${at} failed to load restaurant ${rid} (${answer}); ${retry}`;
  }
}

/** A refusal the browser hid (no CORS headers) may also be an outage behind a gateway that sends none:
 * the loader asks again this many times (1 + 2 + … + 30 s: about two minutes), silently, before it gives up. */
const REFUSED_TRIES = 7;

/** The loader's config request failed (the loader imports this chunk instead of drawing the launcher): show
 * nothing and tell why, or draw the launcher (transient: the panel shows it and retries). `draw(config)`
 * once a hidden refusal turns out to have been an outage. `version`: the widget's panel chunk's name. */
export async function refused(opts: Options, { answer, version, draw }: {
  answer: unknown; version: string; draw: (config: Config | null, failed?: unknown) => void;
}): Promise<void> {
  const api = client(opts.endpoint, opts.restaurantId);
  if (answer instanceof Response) answer = await failure(answer); // its body can be read once: the panel gets the error
  let d = await diagnose(answer, api);
  const transient = (): boolean => d.trouble === "error" || d.trouble === "unreachable";
  if (transient()) return draw(null, answer);
  tell(opts, d, api, version);
  for (let tries = 0; d.trouble === "refused" && tries < REFUSED_TRIES; tries++) {
    await new Promise((wake) => setTimeout(wake, backoff(tries, null) * 1000));
    try {
      return draw(await api.config());
    } catch (e) {
      d = await diagnose((answer = e), api);
    }
    if (transient()) return draw(null, answer);
  }
}

/** The widget shows nothing: the console says why; with ?stjarna-debug in the page's URL, the owner's panel too. */
export function tell(opts: Options, d: Diagnosis, api: Client, version: string): void {
  report(explain(d, opts, ""));
  if (/[?&#]stjarna-debug\b/.test(location.search + location.hash)) {
    show({ restaurant: opts.restaurantId, endpoint: opts.endpoint, url: api.configUrl, origin: location.origin, version,
           ...d });
  }
}

export interface Debug extends Diagnosis {
  restaurant: string; endpoint: string; url: string; origin: string; version: string;
}

const CSS = `:host{all:initial!important;position:fixed!important;z-index:2147483001!important;top:16px!important;left:16px!important;display:block!important;max-width:min(560px,calc(100vw - 32px))!important;font:14px/1.45 system-ui,sans-serif!important;color:#1b1b1b!important}
*{box-sizing:border-box;font:inherit;color:inherit}
section{background:#fff;border:2px solid #b3261e;border-radius:10px;padding:14px 16px;box-shadow:0 6px 24px #0004;max-height:calc(100vh - 32px);overflow:auto}
h2{font-size:16px;font-weight:700;margin:0 0 8px}
h3{font-size:14px;font-weight:700;margin:12px 0 4px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px;margin:0}
dt{color:#555}
dd{margin:0;overflow-wrap:anywhere}
p{margin:6px 0}
code{font-family:ui-monospace,monospace;font-size:13px;background:#f3f3f3;padding:6px 8px;border-radius:6px;display:block;white-space:pre-wrap;overflow-wrap:anywhere}
.row{display:flex;gap:8px;margin-top:12px}
button{border:1px solid #444;background:#fff;border-radius:6px;padding:6px 12px;min-height:36px;cursor:pointer}
:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}`;

/** What the answer means and the fix (the commands of docs/operations.md). */
function verdict(d: Debug): { means: string; fix: string; command: string } {
  const slug = d.restaurant;
  switch (d.trouble) {
    case "notAllowed":
      return {
        means: `This page's origin, ${d.origin}, is not on the allowedOrigins of restaurant "${slug}".`,
        fix: `Add ${d.origin} to the restaurant's allowed origins (keep the ones it has: stjarna tenant show ${slug} lists them):`,
        command: `stjarna tenant create --slug ${slug} --update --origin <each origin to keep> --origin ${d.origin}`,
      };
    case "unknown":
      return {
        means: `The API at ${d.endpoint} has no live restaurant "${slug}".`,
        fix: "Check data-restaurant-id on the script tag (the slug as imported), and that the restaurant is live:",
        command: `stjarna tenant check ${slug} --origin ${d.origin}`,
      };
    default:
      return {
        means: "The API refused this page without CORS headers, so the browser hid its answer: either this origin "
          + `is not on the allowedOrigins of "${slug}", or there is no live restaurant "${slug}".`,
        fix: "This tells which (one line per check):",
        command: `stjarna tenant check ${slug} --origin ${d.origin}`,
      };
  }
}

export function show(d: Debug): void {
  document.querySelector(`stjarna-debug[data-restaurant="${d.restaurant}"]`)?.remove();
  const host = document.createElement("stjarna-debug");
  host.setAttribute("data-restaurant", d.restaurant);
  const root = host.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  root.adoptedStyleSheets = [sheet];
  const { means, fix, command } = verdict(d);
  const row = (term: string, value: string): HTMLElement[] => [h("dt", {}, term), h("dd", {}, value)];
  const copied = h("span", { role: "status" });
  const close = (): void => host.remove();
  const panel = h("section", { role: "region", "aria-labelledby": "t", onkeydown: (e) => {
    if ((e as KeyboardEvent).key === "Escape") close();
  } },
  h("h2", { id: "t" }, "Stjarna widget: not shown on this page"),
  h("p", {}, means, " The public sees nothing; only this page's ?stjarna-debug shows this panel."),
  h("h3", {}, "The widget sent"),
  h("dl", {}, row("restaurant", d.restaurant), row("endpoint", d.endpoint), row("request", "GET " + d.url),
    row("page origin", d.origin), row("widget", d.version)),
  h("h3", {}, "The API answered"),
  h("dl", {}, d.readable
    ? [row("status", String(d.status)), row("code", d.code), row("message", d.message),
       row("CORS", "readable (the API sent Access-Control-Allow-Origin)")]
    : [row("status", "unreadable"), row("CORS", "none: the browser hid the answer (see its CORS error in the console)"),
       row("error", d.message)]),
  h("h3", {}, "The fix"),
  h("p", {}, fix),
  h("code", {}, command),
  h("p", {}, "Then reload this page. docs/operations.md, \"The widget does not load on my domain\", has the steps."),
  h("div", { class: "row" },
    h("button", { onclick: () => {
      // no navigator.clipboard on a plain-http page other than localhost
      Promise.resolve().then(() => navigator.clipboard.writeText(command)).then(() => { copied.textContent = "Copied."; },
        () => { copied.textContent = "Select the command and copy it."; });
    } }, "Copy the command"),
    h("button", { onclick: close }, "Close"), copied));
  root.append(panel);
  (document.body ?? document.documentElement).append(host);
}
