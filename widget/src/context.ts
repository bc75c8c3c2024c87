// What the views share: options, strings, the API client, the stored state, the loaded config and
// menu, and a few helpers. Built once per widget after the config and the menu arrived.

import type { Client } from "./api";
import type { Constraints, Understood } from "./chat/local";
import type { Checkout } from "./checkout";
import { type OpenState, openState } from "./hours";
import type { Key, Lang } from "./i18n";
import type { Options } from "./loader";
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
  hours(): OpenState | null;
  /** When it opens next, in its timezone ("tomorrow 11:30"); "" when open or unknown. */
  opens(): string;
  add(itemId: string): void;
  announce(text: string): void;
  /** Redraw: the open view (or only when it is `only`; null: just the counts and labels). */
  render(only?: "menu" | "assistant" | "cart" | null): void;
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
  const hours = (): OpenState | null => openState(r.hours ?? {}, r.timezone);
  return {
    money: (cents) => format(cents % 100 === 0).format(cents / 100),
    hours,
    opens() {
      const next = hours()?.next;
      if (!next) return "";
      // "today", "i morgon", "Friday": the browser's own words (2024-01-01 was a Monday)
      const day = next.inDays < 2 ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }).format(next.inDays, "day")
        : new Intl.DateTimeFormat(lang, { weekday: "long", timeZone: "UTC" }).format(Date.UTC(2024, 0, 1 + next.weekday));
      return `${day} ${next.time}`;
    },
  };
}
