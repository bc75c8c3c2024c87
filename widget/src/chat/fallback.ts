// Port of shared/chat/fallback.py: the deterministic responder, in the chat API's response shape.
// Names, prices and allergens come only from the candidates; up to three suggestions, spread over
// sections unless the diner asked for the cheapest (favourites first when recommending; a plain open
// question starts where the message says); an honest sentence when nothing fits; a question with the
// allergens as chips when the message was allergy-related but named none. Every answer carries
// understood (the constraints as codes) and the notes (what is avoided, allergies outside the EU-14,
// undeclared dishes left out, what the menu text left out, staff caution whenever allergens are in play). Sentences come from the vocabulary's
// replies; a diner writing another understood language gets English with their allergen names.

import {
  allergens as ALLERGENS, avoidGroups, chips as CHIPS, courses as COURSES, diets as DIETS, ingredients as INGREDIENTS,
  languages as LANGUAGES, replies as REPLIES, tags as TAGS,
} from "../../../shared/vocabulary.json";
import type { Answer, Suggestion } from "../types";
import type { Item, Selection } from "./candidates";
import { allergy, type Constraints, sorted, toJson } from "./constraints";
import { EU14_ORDER } from "./lexicon";
import { chars } from "./text";

export const MAX_REPLY = 450;
export const MAX_SUGGESTIONS = 3;
const COURSE_ORDER = ["dessert", "drink", "main", "starter", "side"] as const;
const CAPITALISED_NOUNS = ["de"]; // languages whose labels keep their capital inside a sentence
const SYMBOL_BEFORE: Record<string, string> = { EUR: "€", USD: "$", GBP: "£" };
const KRONOR = ["SEK", "NOK", "DKK", "ISK"];

export type Texts = Record<string, unknown>;

/** block[lang] of a per-language vocabulary entry (English, then "", when the vocabulary lacks it). */
export function say(block: unknown, lang: string): string {
  const b = block as Texts;
  const value = b[lang] ?? b.en;
  return typeof value === "string" ? value : "";
}

export const text = (lang: string): Texts => ((REPLIES as Texts)[lang] ?? REPLIES.en) as Texts;
const allergenLabel = (code: string, lang: string): string => say((ALLERGENS as Texts)[code], lang);
export const tagLabel = (code: string, lang: string): string => say((TAGS as Texts)[code], lang);
const length = (s: string): number => chars(s).length;
/** Python's str.replace: every occurrence, no replacement patterns. */
export const fill = (template: string, key: string, value: string): string => template.split(key).join(value);
/** Python's str.rstrip(): its whitespace, not JavaScript's. */
const rstrip = (s: string): string => s.replace(/[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/, "");

/** Two-decimal currencies; whole amounts without decimals ("89 kr", "€15", "15,50 €"): English puts
 * the symbol first with a decimal point, the other languages after with a decimal comma. */
export function formatPrice(cents: number, currency: string, lang: string): string {
  let amount = cents % 100 === 0 ? String(Math.floor(cents / 100)) : (cents / 100).toFixed(2);
  if (lang !== "en") amount = amount.replace(".", ",");
  if (KRONOR.includes(currency)) return `${amount} kr`;
  const symbol = SYMBOL_BEFORE[currency];
  if (symbol === undefined) return `${amount} ${currency}`;
  return lang === "en" ? `${symbol}${amount}` : `${amount} ${symbol}`;
}

const lower = (label: string, lang: string): string => (CAPITALISED_NOUNS.includes(lang) ? label : label.toLowerCase());

/** Labels as words inside a sentence (German keeps its capitals). */
export const lowered = (labels: string[], lang: string): string[] => labels.map((l) => lower(l, lang));

export function join(parts: string[], t: Texts, word: "and" | "or" = "and"): string {
  return parts.length <= 1 ? parts.join("") : parts.slice(0, -1).join(", ") + say(t, word) + parts[parts.length - 1];
}

/** Allergen names, grouped where the vocabulary says so (nuts + peanuts -> "nuts"). */
function allergenWords(codes: Set<string>, lang: string): string[] {
  const left = new Set(codes);
  const words: string[] = [];
  for (const group of avoidGroups as Texts[]) {
    const members = group.codes as string[];
    if (members.every((c) => left.has(c)) && lang in group) {
      words.push(String(group[lang]));
      members.forEach((c) => left.delete(c));
    }
  }
  return words.concat(EU14_ORDER.filter((a) => left.has(a)).map((a) => lower(allergenLabel(a, lang), lang)));
}

/** Allergen labels in the regulation's order, in the language names. */
export const allergenNames = (codes: Set<string>, names: string): string[] =>
  EU14_ORDER.filter((a) => codes.has(a)).map((a) => allergenLabel(a, names));

/** The reply's line saying what is avoided, in the reply's language lang with the allergen names of
 * the diner's language names; "" when nothing is. */
export function avoiding(c: Constraints, lang: string, names: string): string {
  if (!c.avoid.size) return "";
  return fill(say(text(lang), "avoiding"), "{list}", allergenNames(c.avoid, names).join(", "));
}

function describe(c: Constraints, lang: string, currency: string): string {
  const t = text(lang);
  const diets = sorted(c.diets).map((d) => say((DIETS as Record<string, { label: unknown }>)[d]?.label, lang));
  const nouns = COURSE_ORDER.filter((k) => c.courses.has(k)).map((k) => say(COURSES[k].label, lang));
  const adjectives = diets.length ? [join(diets, t)] : [];
  if (c.spicy !== null) adjectives.push(say(t, c.spicy ? "spicy" : "mild"));
  const noun = join(nouns.length ? nouns : [say(t, "dishes")], t, "or");
  const words = say(t, "adjectives") === "after" ? [noun, ...adjectives] : [...adjectives, noun];
  if (c.avoid.size) words.push(`${say(t, "without")} ${join(allergenWords(c.avoid, lang), t, "or")}`);
  if (c.maxPriceCents !== null) words.push(`${say(t, "under")} ${formatPrice(c.maxPriceCents, currency, lang)}`);
  return words.join(" ");
}

function reason(item: Item, c: Constraints, lang: string, currency: string): string {
  const t = text(lang);
  const parts = sorted(c.diets).map((d) => lower(tagLabel(d, lang), lang));
  if (c.avoid.size) parts.push(`${say(t, "no")} ${join(allergenWords(c.avoid, lang), t, "or")}`);
  if (c.spicy !== null) parts.push(c.spicy ? lower(tagLabel("spicy", lang), lang) : say(t, "not spicy"));
  if (!parts.length && item.tags.has("popular")) parts.push(say(t, "popular"));
  return [...parts, formatPrice(item.priceCents, currency, lang)].join(", ");
}

/** Up to three: the cheapest or a course's first when asked; else one per section. Favourites
 * (popular, then new) lead when recommending; a plain open question starts at a place that moves
 * with the message (turn), so different questions see different dishes. */
function pick(selection: Selection, c: Constraints, favourites: boolean, turn: number): Item[] {
  let ranked = [...selection.candidates];
  if (c.cheapest || c.courses.size) return ranked.slice(0, MAX_SUGGESTIONS);
  if (favourites) {
    const key = (i: Item): number => Number(!i.tags.has("popular")) * 2 + Number(!i.tags.has("new"));
    ranked.sort((a, b) => key(a) - key(b)); // stable, as Python's sort
  } else if (ranked.length && turn) {
    const start = turn % ranked.length;
    ranked = [...ranked.slice(start), ...ranked.slice(0, start)];
  }
  const picked: Item[] = [];
  for (const item of ranked) { // one per section first, in candidate order
    if (picked.length < MAX_SUGGESTIONS && picked.every((p) => p.section !== item.section)) picked.push(item);
  }
  picked.push(...ranked.filter((i) => !picked.includes(i)).slice(0, MAX_SUGGESTIONS - picked.length));
  return picked.sort((a, b) => ranked.indexOf(a) - ranked.indexOf(b));
}

export function chipsFor(selection: Selection, c: Constraints, lang: string, currency: string): string[] {
  const out: string[] = [];
  if (!c.diets.size) out.push(say(CHIPS.diet.vegan, lang));
  const avoid = Object.keys(CHIPS.avoid).find((code) => !c.avoid.has(code));
  if (avoid !== undefined) out.push(say((CHIPS.avoid as Texts)[avoid], lang));
  const course = COURSE_ORDER.find((k) => !c.courses.has(k));
  if (course !== undefined) out.push(say(COURSES[course].chip, lang));
  const prices = selection.candidates.map((i) => i.priceCents).sort((a, b) => a - b);
  if (c.maxPriceCents === null && prices.length >= 2) {
    const major = prices[Math.floor((prices.length - 1) / 2)]! / 100;
    const step = major >= 100 ? 50 : major >= 20 ? 10 : 1;
    const limit = Math.max(step, Math.ceil(major / step) * step) * 100;
    out.push(fill(say(CHIPS.under, lang), "{price}", formatPrice(limit, currency, lang)));
  }
  if (!c.cheapest) out.push(say(CHIPS.cheapest, lang));
  if (c.spicy === null) out.push(say(CHIPS.mild, lang));
  out.push(say(CHIPS.reset, lang));
  return out.slice(0, 4);
}

export function fit(sentences: string[]): string {
  const reply = sentences.filter(Boolean).join(" ");
  return length(reply) <= MAX_REPLY ? reply : rstrip(chars(reply).slice(0, MAX_REPLY - 1).join("")) + "…";
}

/** The diner's language when replies are written in it, else the restaurant's, else English. */
export function replyLanguage(c: Constraints, locale: string): string {
  const replies: string[] = LANGUAGES.replies;
  for (const lang of [c.language, locale.split("-")[0]!.toLowerCase()]) {
    if (lang !== null && replies.includes(lang)) return lang;
    if (lang !== null) break; // understood but not written: English, with the diner's allergen names
  }
  return "en";
}

/** The language of the allergen names the diner reads: theirs, whenever it is understood. */
export const namesLanguage = (c: Constraints, lang: string): string =>
  c.language !== null && (LANGUAGES.understood as string[]).includes(c.language) ? c.language : lang;

export const listing = (items: Item[], t: Texts, currency: string, lang: string): string =>
  join(items.map((i) => `${i.name} (${formatPrice(i.priceCents, currency, lang)})`), t);

/** What every answer adds after its own words: what is avoided, the allergies outside the EU-14 that
 * nothing can be called free of, the undeclared dishes left out, what was left out by the menu text,
 * and the staff-confirmation sentence whenever allergens are in play. */
export function notes(selection: Selection, c: Constraints, lang: string, names: string): string[] {
  const t = text(lang);
  const terms = c.avoidTerms.size ? fill(say(t, "terms"), "{terms}", termNames(c.avoidTerms, lang, t)) : "";
  const undeclared = selection.undeclared ? fill(say(t, "undeclared"), "{n}", String(selection.undeclared)) : "";
  const without = c.withoutTerms.size ? fill(say(t, "excluded"), "{terms}", termNames(c.withoutTerms, lang, t)) : "";
  const caution = allergy(c) || selection.undeclared ? say(t, "caution") : "";
  return [avoiding(c, lang, names), terms, undeclared, without, caution].filter(Boolean);
}

/** An ingredient key as a word of the reply's language (the vocabulary's first), else English's. */
export function termLabel(key: string, lang: string): string {
  for (const group of INGREDIENTS.groups as Texts[]) {
    if (group.key === key) {
      const words = group[lang] as string[] | undefined;
      return String((words?.length ? words : group.en as string[])[0]);
    }
  }
  return key;
}

export const termNames = (keys: Set<string>, lang: string, t: Texts): string =>
  join(sorted(keys).map((k) => termLabel(k, lang)), t, "or");

/** One suggestion card: name, price and allergens from the menu. */
export const suggestion = (item: Item, why: string): Suggestion => ({
  itemId: item.id, name: item.name, priceCents: item.priceCents, reason: why,
  allergens: EU14_ORDER.filter((a) => item.allergens.has(a)), allergensDeclared: item.allergensDeclared,
});

/** Allergy-related, but which allergen? Ask, with every allergen not yet avoided as a chip. */
function question(c: Constraints, lang: string, names: string): Answer {
  const chips = EU14_ORDER.filter((a) => !c.avoid.has(a)).map((a) => allergenLabel(a, names));
  const none: Selection = { candidates: [], undeclared: 0, excluded: 0 };
  return {
    reply: fit([say(text(lang), "ask"), ...notes(none, c, lang, names)]), suggestions: [],
    chips: [...chips, say(CHIPS.reset, lang)], understood: toJson(c),
  };
}

/** A list of dishes (or the allergen question): favourites when the diner asked for a
 * recommendation; turn varies where a plain open question starts (see pick). */
export function respond(selection: Selection, c: Constraints, currency: string, locale: string, favourites = false,
                        turn = 0): Answer {
  const lang = replyLanguage(c, locale);
  const names = namesLanguage(c, lang);
  if (c.askAllergen) return question(c, lang, names);
  const t = text(lang);
  const picked = pick(selection, c, favourites, turn);
  const desc = describe(c, lang, currency);
  const tail = notes(selection, c, lang, names);
  const namesList = listing(picked, t, currency, lang);
  let head: string;
  if (c.avoidTerms.size) {
    head = ""; // the notes say why nothing is suggested
  } else if (c.withTerms.size) {
    const terms = termNames(c.withTerms, lang, t);
    head = fill(picked.length ? fill(say(t, "with"), "{list}", namesList) : say(t, "with_none"), "{terms}", terms);
  } else if (!picked.length) {
    head = fill(say(t, "none"), "{desc}", desc);
  } else {
    const key = favourites ? "recommend" : picked.length === 1 ? "one" : c.cheapest ? "cheapest" : "some";
    head = fill(fill(say(t, key), "{desc}", desc), "{list}", namesList);
    // the names are in the suggestions anyway
    if (length([head, ...tail].join(" ")) > MAX_REPLY) head = fill(say(t, "short"), "{desc}", desc);
  }
  return {
    reply: fit([head, ...tail]),
    suggestions: picked.map((i) => suggestion(i, reason(i, c, lang, currency))),
    chips: chipsFor(selection, c, lang, currency),
    understood: toJson(c),
  };
}
