// What the views share: options, strings, the API client, the stored state, the loaded config and
// menu, and a few helpers. Built once per widget after the config and the menu arrived.

import type { Client } from "./api";
import type { Constraints, Understood } from "./chat/local";
import type { Checkout } from "./checkout";
import { type OpenState, openState, wallClock } from "./hours";
import type { Key, Lang } from "./i18n";
import type { Options } from "./loader";
import type { Emit } from "./shell";
import type { Store } from "./store";
import type { Config, Menu, MenuItem, Order, Suggestion } from "./types";

export type T = (key: Key, x?: string | number) => string;

export interface Message {
  who: "me" | "bot" | "note";
  text: string;
  suggestions?: Suggestion[];
  chips?: string[];
  understood?: Understood | undefined; // shown as removable chips
  local?: boolean;
}

export interface Ctx {
  opts: Options;
  lang: Lang;
  t: T;
  api: Client;
  store: Store;
  config: Config;
  menu: Menu;
  items: Map<string, MenuItem>;
  filters: { diets: Set<string>; avoid: Set<string> };
  chat: {
    messages: Message[];
    previous: Constraints | null; // the local responder's context
    local: boolean; // server chat said it is off: answer locally for the rest of the visit
    busy: boolean;
    draft: string; // what the diner is typing
    said?: string; // the diner's last message: sent again with `forget` when a chip is removed
    forgot?: string[]; // the `forget` codes since that message
    view?: { show(m: Message): void; busy(on: boolean): void } | undefined; // the log on screen, if any
  };
  order: Order | null; // the last placed order as last fetched
  co: Checkout;
  money(cents: number): string;
  /** Open or closed: the server's word (config.open, kept current by checkout.ts), else the menu's hours. */
  hours(): OpenState | null;
  /** When it opens next, in its timezone ("Friday 11:30"); "" when open or unknown. */
  opens(): string;
  add(itemId: string): void;
  announce(text: string): void;
  /** Redraw: the open view (or only when it is `only`; null: just the counts and labels). */
  render(only?: "menu" | "assistant" | "cart" | null): void;
  /** The loader's directory (its own src URL's): where the chunks are, e.g. the local responder. */
  base: string;
  /** Tell the page: Stjarna.on and the host element's stjarna:* events (api-global.ts). */
  emit: Emit;
}

export function helpers(config: Config, menu: Menu, lang: Lang): Pick<Ctx, "money" | "hours" | "opens"> {
  const r = menu.restaurant;
  const formats = new Map<boolean, Intl.NumberFormat>();
  const format = (whole: boolean): Intl.NumberFormat => {
    let f = formats.get(whole);
    if (!f) {
      const digits = whole ? 0 : 2;
      try {
        f = new Intl.NumberFormat(r.locale || config.locale, { style: "currency", currency: r.currency,
          minimumFractionDigits: digits, maximumFractionDigits: digits });
      } catch {
        f = new Intl.NumberFormat("en", { style: "currency", currency: r.currency || "EUR" });
      }
      formats.set(whole, f);
    }
    return f;
  };
  // the diner's clock may be off (defect 7 of #18): the server's word when it gives one, else the hours
  const hours = (): OpenState | null => config.open ? { open: config.open.now, next: null }
    : openState(r.hours ?? {}, r.timezone);
  const weekday = (n: number): string =>
    new Intl.DateTimeFormat(lang, { weekday: "long", timeZone: "UTC" }).format(Date.UTC(2024, 0, 1 + n));
  return {
    money: (cents) => format(cents % 100 === 0).format(cents / 100),
    hours,
    opens() {
      if (config.open) {
        // the weekday, never "today": which day it is now is the diner's clock's word
        const at = !config.open.now && config.open.nextChange ? wallClock(config.open.nextChange, r.timezone) : null;
        return at ? `${weekday(at.weekday)} ${at.time}` : "";
      }
      const next = hours()?.next;
      if (!next) return "";
      // "today", "i morgon", "Friday": the browser's own words (2024-01-01 was a Monday)
      const day = next.inDays < 2 ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }).format(next.inDays, "day")
        : weekday(next.weekday);
      return `${day} ${next.time}`;
    },
  };
}
