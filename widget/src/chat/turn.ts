// Port of shared/chat/turn.py: one deterministic chat turn over a public menu: what the message asks
// (the intent), the facts that answer it, and the answer body. Intents, first that applies:
// askAllergen, undeclaredAllergen, dish / which (the message names a dish), info (the restaurant
// itself), ingredients ("with chicken", "no potatoes"), recommend (favourites first), suggest (a list
// for the constraints; with none at all, where the list starts moves with the message). See there.

import type { Answer, Menu as Payload } from "../types";
import * as answers from "./answers";
import { type Item, menuItems, type Selection, selectItems } from "./candidates";
import { type Constraints, forget as without, read, sorted, topics, words } from "./constraints";
import { type DishIndex, findDish, index } from "./dishes";
import { namesLanguage, replyLanguage, respond, termLabel } from "./fallback";
import { EU14_ORDER, lexicon } from "./lexicon";
import { namesAllergen } from "./matching";

/** A public menu prepared once: its items, its dishes' names, the restaurant. */
export interface Menu {
  items: Item[];
  skipped: number;
  dishes: DishIndex;
  place: answers.Place;
  currency: string;
}

export function prepare(menu: Payload): Menu {
  const [items, skipped] = menuItems(menu);
  const restaurant = (menu.restaurant ?? {}) as unknown as Record<string, unknown>;
  return { items, skipped, dishes: index(items, lexicon()), place: answers.placeOf(restaurant),
           currency: String(restaurant.currency || "EUR") };
}

export interface Turn {
  body: Answer; // reply, suggestions, chips, understood, intent, facts
  constraints: Constraints; // the conversation's, to keep for the next turn
  selection: Selection; // the candidates for those constraints
  intent: string;
}

const plain = (c: Constraints): boolean =>
  !(c.diets.size || c.avoid.size || c.courses.size || c.withTerms.size || c.withoutTerms.size || c.cheapest
    || c.maxPriceCents !== null || c.spicy !== null);

/** What a question about a dish asks, from the rest of the message. */
function asks(current: Constraints): [string, string[]] {
  if (current.avoid.size) return ["allergens", EU14_ORDER.filter((a) => current.avoid.has(a))];
  if (current.diets.size) return ["diet", sorted(current.diets)];
  if (current.spicy !== null) return ["spice", ["spicy"]];
  const terms = new Set([...current.withTerms, ...current.withoutTerms, ...current.avoidTerms]);
  if (terms.size) return ["ingredients", sorted(terms)];
  return ["about", []];
}

/** The code points of s, summed (Python's sum(map(ord, s))). */
function ords(s: string): number {
  let sum = 0;
  for (const ch of s) sum += ch.codePointAt(0)!;
  return sum;
}

export function turn(menu: Menu | Payload, message: string, previous: Constraints | null, locale: string, now: Date,
                     forget: Iterable<string> = []): Turn {
  const m = "dishes" in menu ? menu : prepare(menu);
  const lex = lexicon();
  const tokens = words(message);
  const ref = findDish(tokens, m.dishes, lex);
  // what the message asks is read without the dish's name; the constraints keep the name's allergen
  // words, whatever the phrasing (fail safe; see turn.py)
  const span = new Set(ref === null ? [] : ref.span);
  const kept = new Set([...span].filter((i) => namesAllergen(tokens[i]!.text, lex)));
  const reading = read(tokens.filter((_, i) => !span.has(i) || kept.has(i)), previous);
  let c = reading.constraints;
  const current = kept.size ? read(tokens.filter((_, i) => !span.has(i)), null).current : reading.current;
  if (ref !== null) c = { ...c, withTerms: previous !== null ? previous.withTerms : new Set() }; // not a new search
  c = without(c, forget);
  const selection = selectItems(m.items, m.skipped, c);
  const lang = replyLanguage(c, locale);
  const names = namesLanguage(c, lang);
  let facts: Record<string, unknown> = {};
  const info = topics(reading, "info");
  const newTerms = [...current.avoidTerms].filter((k) => !(previous?.avoidTerms.has(k) ?? false));
  let intent: string, body: Answer;
  if (c.askAllergen) {
    intent = "askAllergen";
    body = respond(selection, c, m.currency, locale);
  } else if (newTerms.length && c.avoidTerms.size) {
    intent = "undeclaredAllergen";
    body = respond(selection, c, m.currency, locale);
    facts = { terms: sorted(c.avoidTerms) };
  } else if (ref !== null && ref.items.length === 1) {
    const item = ref.items[0]!;
    const [what, asked] = asks(current);
    intent = "dish";
    let verdict: string | null;
    [body, verdict] = answers.dish(item, what, asked, c, selection, lang, names, m.currency);
    facts = { itemId: item.id, asks: what, asked, verdict };
  } else if (ref !== null) {
    intent = "which";
    body = answers.which(ref.items, c, selection, lang, names, m.currency);
    facts = { itemIds: ref.items.map((i) => i.id) };
  } else if (info.length) {
    intent = "info";
    let open: boolean | null;
    [body, open] = answers.info(info, m.place, c, now, lang, names);
    facts = { topics: info, open };
  } else if (current.withTerms.size || current.withoutTerms.size) {
    intent = "ingredients";
    body = respond(selection, c, m.currency, locale);
    facts = { with: sorted(c.withTerms), without: sorted(c.withoutTerms) };
  } else {
    const favourites = topics(reading, "recommend").length > 0;
    intent = favourites ? "recommend" : "suggest";
    const spread = plain(c) && !favourites ? ords(tokens.map((t) => t.text).join(" ")) : 0;
    body = respond(selection, c, m.currency, locale, favourites, spread);
  }
  const terms = sorted([...c.withTerms, ...c.withoutTerms, ...c.avoidTerms]);
  const termLabels: Record<string, string> = {};
  for (const k of terms) termLabels[k] = termLabel(k, lang);
  return { body: { ...body, understood: { ...body.understood, termLabels }, intent, facts }, constraints: c, selection,
           intent };
}
