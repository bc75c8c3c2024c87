// Port of shared/chat/fallback.py: the deterministic responder, in the chat API's response shape.
// Names and prices come only from the candidates; up to three suggestions, spread over sections
// unless the diner asked for the cheapest; allergen caution whenever an allergen was named or
// undeclared items were left out.

import { avoidGroups, chips as CHIPS, courses as COURSES, diets as DIETS } from "../../../shared/vocabulary.json";
import { allergenLabel, EU14, tagLabel as label } from "../vocab";
import type { Item, Selection } from "./candidates";
import { type Constraints, namesAllergens } from "./constraints";

export const MAX_REPLY = 450;
const MAX_SUGGESTIONS = 3;
const COURSE_ORDER = ["dessert", "drink", "main", "starter", "side"] as const;
type Lang = "en" | "sv";
type Text = Record<"some" | "cheapest" | "one" | "none" | "short" | "and" | "or" | "dishes" | "without" | "under"
  | "spicy" | "mild" | "no" | "notSpicy" | "popular" | "caution" | "undeclared", string>;
const TEXT: Record<Lang, Text> = {
  en: {
    some: "Here are some {desc}: {list}.", cheapest: "The cheapest {desc}: {list}.",
    one: "I found one: {list}.", none: "I couldn't find any {desc} on the menu; please ask the staff, "
      + "they may be able to help.", short: "Here are some {desc}.", and: " and ", or: " or ",
    dishes: "dishes", without: "without", under: "under", spicy: "spicy", mild: "mild",
    no: "no", notSpicy: "not spicy", popular: "popular",
    caution: "Allergen details come from the restaurant; please confirm with the staff before ordering.",
    undeclared: "{n} dish(es) without declared allergens were left out; ask the staff about them.",
  },
  sv: {
    some: "Här är några {desc}: {list}.", cheapest: "Billigast bland {desc}: {list}.",
    one: "Jag hittade en: {list}.", none: "Jag hittade inga {desc} på menyn; fråga gärna personalen, "
      + "de kan hjälpa dig.", short: "Här är några {desc}.", and: " och ", or: " eller ",
    dishes: "rätter", without: "utan", under: "under", spicy: "starka", mild: "milda",
    no: "utan", notSpicy: "inte stark", popular: "populär",
    caution: "Allergeninformationen kommer från restaurangen; dubbelkolla med personalen innan du beställer.",
    undeclared: "{n} rätt(er) utan angivna allergener är inte med; fråga personalen om dem.",
  },
};
const SYMBOL_BEFORE: Record<string, string> = { EUR: "€", USD: "$", GBP: "£" };
const KRONOR = ["SEK", "NOK", "DKK", "ISK"];

export interface Suggestion { itemId: string; name: string; priceCents: number; reason: string }
export interface Answer { reply: string; suggestions: Suggestion[]; chips: string[] }

const length = (s: string): number => Array.from(s).length;
/** Python's str.replace: every occurrence, no replacement patterns. */
const fill = (template: string, key: string, value: string): string => template.split(key).join(value);

/** Two-decimal currencies; whole amounts without decimals ("89 kr", "€15", "15,50 €"). */
export function formatPrice(cents: number, currency: string, lang: Lang): string {
  let amount = cents % 100 === 0 ? String(Math.floor(cents / 100)) : (cents / 100).toFixed(2);
  if (lang === "sv") amount = amount.replace(".", ",");
  if (KRONOR.includes(currency)) return `${amount} kr`;
  const symbol = SYMBOL_BEFORE[currency];
  if (symbol === undefined) return `${amount} ${currency}`;
  return lang === "sv" ? `${amount} ${symbol}` : `${symbol}${amount}`;
}

function join(parts: string[], t: Text, word: "and" | "or" = "and"): string {
  return parts.length <= 1 ? parts.join("") : parts.slice(0, -1).join(", ") + t[word] + parts[parts.length - 1];
}

/** Allergen names, grouped where the vocabulary says so (nuts + peanuts -> "nuts"). */
function allergenWords(codes: Set<string>, lang: Lang): string[] {
  const left = new Set(codes);
  const words: string[] = [];
  for (const group of avoidGroups) {
    if (group.codes.every((c) => left.has(c))) {
      words.push(group[lang]);
      group.codes.forEach((c) => left.delete(c));
    }
  }
  return words.concat(EU14.filter((a) => left.has(a))
    .map((a) => allergenLabel(a, lang).toLowerCase()));
}

const sorted = (s: Set<string>): string[] => [...s].sort();

function describe(c: Constraints, lang: Lang, currency: string): string {
  const t = TEXT[lang];
  const diets = sorted(c.diets).map((d) => DIETS[d as keyof typeof DIETS].label[lang]);
  const nouns = COURSE_ORDER.filter((k) => c.courses.has(k)).map((k) => COURSES[k].label[lang]);
  const words = diets.length ? [join(diets, t)] : [];
  if (c.spicy !== null) words.push(t[c.spicy ? "spicy" : "mild"]);
  words.push(join(nouns.length ? nouns : [t.dishes], t, "or"));
  if (c.avoid.size) words.push(`${t.without} ${join(allergenWords(c.avoid, lang), t, "or")}`);
  if (c.maxPriceCents !== null) words.push(`${t.under} ${formatPrice(c.maxPriceCents, currency, lang)}`);
  return words.join(" ");
}

const tagLabel = (tag: string, lang: Lang): string => label(tag, lang).toLowerCase();

function reason(item: Item, c: Constraints, lang: Lang, currency: string): string {
  const t = TEXT[lang];
  const parts = sorted(c.diets).map((d) => tagLabel(d, lang));
  if (c.avoid.size) parts.push(`${t.no} ${join(allergenWords(c.avoid, lang), t, "or")}`);
  if (c.spicy !== null) parts.push(c.spicy ? tagLabel("spicy", lang) : t.notSpicy);
  if (!parts.length && item.tags.has("popular")) parts.push(t.popular);
  return [...parts, formatPrice(item.priceCents, currency, lang)].join(", ");
}

function pick(selection: Selection, c: Constraints): Item[] {
  const ranked = selection.candidates;
  if (c.cheapest || c.courses.size) return ranked.slice(0, MAX_SUGGESTIONS);
  const picked: Item[] = [];
  for (const item of ranked) { // one per section first, in candidate order
    if (picked.length < MAX_SUGGESTIONS && picked.every((p) => p.section !== item.section)) picked.push(item);
  }
  picked.push(...ranked.filter((i) => !picked.includes(i)).slice(0, MAX_SUGGESTIONS - picked.length));
  return picked.sort((a, b) => ranked.indexOf(a) - ranked.indexOf(b));
}

function chipsFor(selection: Selection, c: Constraints, lang: Lang, currency: string): string[] {
  const out: string[] = [];
  if (!c.diets.size) out.push(CHIPS.diet.vegan[lang]);
  const avoid = Object.keys(CHIPS.avoid).find((code) => !c.avoid.has(code));
  if (avoid !== undefined) out.push(CHIPS.avoid[avoid as keyof typeof CHIPS.avoid][lang]);
  const course = COURSE_ORDER.find((k) => !c.courses.has(k));
  if (course !== undefined) out.push(COURSES[course].chip[lang]);
  const prices = selection.candidates.map((i) => i.priceCents).sort((a, b) => a - b);
  if (c.maxPriceCents === null && prices.length >= 2) {
    const major = prices[Math.floor((prices.length - 1) / 2)]! / 100;
    const step = major >= 100 ? 50 : major >= 20 ? 10 : 1;
    const limit = Math.max(step, Math.ceil(major / step) * step) * 100;
    out.push(fill(CHIPS.under[lang], "{price}", formatPrice(limit, currency, lang)));
  }
  if (!c.cheapest) out.push(CHIPS.cheapest[lang]);
  if (c.spicy === null) out.push(CHIPS.mild[lang]);
  out.push(CHIPS.reset[lang]);
  return out.slice(0, 4);
}

function fit(sentences: string[]): string {
  const reply = sentences.filter(Boolean).join(" ");
  return length(reply) <= MAX_REPLY ? reply : Array.from(reply).slice(0, MAX_REPLY - 1).join("").trimEnd() + "…";
}

export const replyLanguage = (c: Constraints, locale: string): Lang =>
  c.language === "sv" || (c.language === null && locale.toLowerCase().startsWith("sv")) ? "sv" : "en";

export function respond(selection: Selection, c: Constraints, currency: string, locale: string): Answer {
  const lang = replyLanguage(c, locale);
  const t = TEXT[lang];
  const picked = pick(selection, c);
  const desc = describe(c, lang, currency);
  const caution = namesAllergens(c) || selection.undeclared ? t.caution : "";
  const undeclared = selection.undeclared ? fill(t.undeclared, "{n}", String(selection.undeclared)) : "";
  const listing = join(picked.map((i) => `${i.name} (${formatPrice(i.priceCents, currency, lang)})`), t);
  let head: string;
  if (!picked.length) {
    head = fill(t.none, "{desc}", desc);
  } else {
    const key = picked.length === 1 ? "one" : c.cheapest ? "cheapest" : "some";
    head = fill(fill(t[key], "{desc}", desc), "{list}", listing);
    if (length([head, undeclared, caution].filter(Boolean).join(" ")) > MAX_REPLY) head = fill(t.short, "{desc}", desc);
  }
  return {
    reply: fit([head, undeclared, caution]),
    suggestions: picked.map((i) => ({ itemId: i.id, name: i.name, priceCents: i.priceCents, reason: reason(i, c, lang, currency) })),
    chips: chipsFor(selection, c, lang, currency),
  };
}
