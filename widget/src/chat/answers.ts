// Port of shared/chat/answers.py: the deterministic answers that are not a list of dishes: a
// question about one dish, "which one?", the restaurant itself. Facts come only from the menu payload
// (declared allergens, tags, the menu text, the hours, the contact fields); sentences from the
// vocabulary's replies. A yes/no about allergens is answered from declared data only; a dish that
// breaks a stated constraint is described but not offered (alternatives instead).

import { diets as DIETS, tags as TAGS } from "../../../shared/vocabulary.json";
import type { Answer } from "../types";
import { type Item, mentions, type Selection } from "./candidates";
import { type Constraints, toJson } from "./constraints";
import {
  allergenNames, chipsFor, fill, fit, formatPrice, join, listing, lowered, MAX_SUGGESTIONS, notes, say, suggestion,
  tagLabel, termNames, text, type Texts,
} from "./fallback";
import { type Change, dayRanges, openState, type OpenState, weekGroups } from "./hours";
import { lexicon } from "./lexicon";

const CONTACT = ["address", "phone", "website"] as const;

/** The restaurant as the public menu describes it. */
export interface Place {
  timezone: string;
  hours: unknown;
  address: string | null;
  phone: string | null;
  website: string | null;
}

export function placeOf(restaurant: Record<string, unknown> | undefined | null): Place {
  const r = restaurant ?? {};
  const field = (key: string): string | null => (r[key] ? (r[key] as string) : null);
  return { timezone: String(r.timezone || "UTC"), hours: r.hours || {}, address: field("address"),
           phone: field("phone"), website: field("website") };
}

const tagLine = (item: Item, lang: string): string => {
  const labels = Object.keys(TAGS).filter((tag) => item.tags.has(tag)).map((tag) => tagLabel(tag, lang));
  return labels.length ? labels.join(", ") + "." : "";
};

/** The dish may carry an Add button only when it satisfies everything the diner stated (a candidate). */
const offered = (item: Item, selection: Selection): boolean => selection.candidates.includes(item);

const dietLabel = (d: string, lang: string): string => {
  const label = say((DIETS as Record<string, { label: unknown }>)[d]?.label, lang);
  return lang !== "de" ? label.toLowerCase() : label;
};

/** [the answer body, the verdict] for a question about one dish. */
export function dish(item: Item, asks: string, asked: string[], c: Constraints, selection: Selection, lang: string,
                     names: string, currency: string): [Answer, string | null] {
  const t = text(lang);
  const price = formatPrice(item.priceCents, currency, lang);
  let about = item.description ? fill(say(t, "about"), "{desc}", item.description) : say(t, "about_plain");
  about = fill(fill(about, "{name}", item.name), "{price}", price);
  const declared = !item.allergensDeclared ? say(t, "not_declared")
    : item.allergens.size ? fill(say(t, "declared"), "{list}", allergenNames(item.allergens, names).join(", "))
      : say(t, "declared_none");
  let verdict: string | null = null;
  let head: string[];
  if (asks === "allergens") {
    const wanted = new Set(asked);
    const listed = join(lowered(allergenNames(wanted, names), names), t, "or");
    const found = new Set([...wanted].filter((a) => item.allergens.has(a)));
    if (!item.allergensDeclared) {
      verdict = "unknown";
      head = [fill(say(t, "contains_unknown"), "{list}", listed)];
    } else if (found.size) {
      verdict = "yes";
      head = [fill(say(t, "contains_yes"), "{list}", join(lowered(allergenNames(found, names), names), t))];
    } else {
      verdict = "no";
      head = [fill(say(t, "contains_no"), "{list}", listed)];
    }
  } else if (asks === "diet") {
    const satisfied = lexicon().dietSatisfiedBy;
    const ok = asked.every((d) => (satisfied[d] ?? []).some((tag) => item.tags.has(tag)));
    verdict = ok ? "yes" : "no";
    head = [fill(say(t, ok ? "diet_yes" : "diet_no"), "{diet}", join(asked.map((d) => dietLabel(d, lang)), t))];
  } else if (asks === "spice") {
    const spicy = item.tags.has("spicy");
    verdict = spicy ? "yes" : "no";
    head = [say(t, spicy ? "spicy_yes" : "spicy_no")];
  } else if (asks === "ingredients") {
    const said = asked.some((k) => mentions(item, k));
    verdict = said ? "yes" : "no";
    head = [fill(say(t, said ? "mentions_yes" : "mentions_no"), "{list}", termNames(new Set(asked), lang, t))];
  } else {
    head = [about, declared, tagLine(item, lang)];
  }
  if (asks !== "about") {
    const extra = asks === "ingredients" ? about : verdict === "unknown" ? "" : declared;
    head = [...head.map((h) => fill(h, "{name}", item.name)), extra];
  }
  // a dish that breaks what the diner stated is not offered: up to three alternatives are, its course first
  let alternatives: Item[] = [];
  if (!offered(item, selection)) {
    const same = selection.candidates.filter((i) => [...i.courses].some((k) => item.courses.has(k)));
    alternatives = [...same, ...selection.candidates.filter((i) => !same.includes(i))].slice(0, MAX_SUGGESTIONS);
  }
  if (alternatives.length) head.push(fill(say(t, "alternatives"), "{list}", listing(alternatives, t, currency, lang)));
  const shown = [...(offered(item, selection) ? [item] : []), ...alternatives];
  const body: Answer = {
    reply: fit([...head, ...notes(selection, c, lang, names)]),
    suggestions: shown.map((i) => suggestion(i, formatPrice(i.priceCents, currency, lang))),
    chips: chipsFor(selection, c, lang, currency), understood: toJson(c),
  };
  return [body, verdict];
}

/** A name that fits several dishes: ask which, with the safe ones as cards. */
export function which(items: Item[], c: Constraints, selection: Selection, lang: string, names: string,
                      currency: string): Answer {
  const t = text(lang);
  const shown = items.filter((i) => offered(i, selection)).slice(0, MAX_SUGGESTIONS);
  const reply = fill(say(t, "which"), "{list}", join(items.slice(0, MAX_SUGGESTIONS).map((i) => i.name), t, "or"));
  return {
    reply: fit([reply, ...notes(selection, c, lang, names)]),
    suggestions: shown.map((i) => suggestion(i, formatPrice(i.priceCents, currency, lang))),
    chips: chipsFor(selection, c, lang, currency), understood: toJson(c),
  };
}

function when(change: Change, t: Texts): string {
  const days = say(t, "days").split("|");
  if (change.inDays === 0) return fill(say(t, "today_at"), "{time}", change.time);
  if (change.inDays === 1) return fill(say(t, "tomorrow_at"), "{time}", change.time);
  return fill(fill(say(t, "day_at"), "{day}", days[change.weekday] ?? ""), "{time}", change.time);
}

function state(s: OpenState | null, t: Texts): string {
  if (s === null) return "";
  if (s.open) return s.change === null ? say(t, "open") : fill(say(t, "open_until"), "{when}", when(s.change, t));
  if (s.change === null) return say(t, "closed_none");
  return fill(say(t, "closed_opens"), "{when}", when(s.change, t));
}

const ranges = (list: [string, string][], t: Texts): string => join(list.map(([a, b]) => `${a}–${b}`), t);

/** [the answer body, open now or null when the hours are unusable] for questions about the
 * restaurant itself. No dish list. */
export function info(topics: string[], place: Place, c: Constraints, now: Date, lang: string,
                     names: string): [Answer, boolean | null] {
  const t = text(lang);
  const s = openState(place.hours, place.timezone, now);
  const sentences: string[] = [];
  if (["openNow", "hours", "orderAhead"].some((k) => topics.includes(k))) sentences.push(state(s, t));
  if (topics.includes("hours") && s !== null) {
    const hours = place.hours as Record<string, unknown>;
    const short = say(t, "days_short").split("|");
    const week = weekGroups(hours).map(([a, b, r]) => `${short[a]}${a === b ? "" : "–" + short[b]} ${ranges(r, t)}`)
      .join("; ");
    const today = dayRanges(hours, s.weekday);
    sentences.push(today.length ? fill(say(t, "hours_today"), "{ranges}", ranges(today, t)) : say(t, "closed_today"));
    if (week) sentences.push(fill(say(t, "hours_week"), "{week}", week));
  }
  if (topics.includes("delivery")) sentences.push(say(t, "delivery"));
  if (topics.includes("orderAhead")) sentences.push(say(t, "order_ahead"));
  for (const field of CONTACT) {
    if (!topics.includes(field)) continue;
    const value = place[field];
    sentences.push(value ? fill(say(t, field), `{${field}}`, value)
      : fill(say(t, "no_contact"), "{what}", say(t, `contact_${field}`)));
  }
  const none: Selection = { candidates: [], undeclared: 0, excluded: 0 };
  const body: Answer = { reply: fit([...sentences, ...notes(none, c, lang, names)]), suggestions: [], chips: [],
                         understood: toJson(c) };
  return [body, s === null ? null : s.open];
}
