// Port of shared/chat/lexicon.py: the chat vocabulary (shared/vocabulary.json, bundled at build
// time) compiled for matching: normalised phrase -> senses, with the languages that use it. Only the
// languages listed in its languages.understood are read, whatever the file holds.

import {
  allergenWords, allergyIntent, conditions, courses, diets, dietWords, exclusion, fuzzyStopwords,
  ingredients as INGREDIENTS, languageHints, languages as LANGUAGES, misspellings, negation, notAllergens, positive,
  price, questions, reset, spice,
} from "../../../shared/vocabulary.json";
import { chars, phrase } from "./text";

export type Kind =
  | "diet" | "allergen" | "condition" | "neg_before" | "neg_after" | "connector" | "closer" | "price_max"
  | "cheapest" | "currency" | "spicy" | "mild" | "course" | "hint" | "reset" | "intent" | "exclusion" | "positive"
  | "ingredient" | "recommend" | "info";

/** The EU-14 codes in the regulation's order (shared/vocabulary.py EU14_ORDER). */
export const EU14_ORDER: readonly string[] = [
  "gluten", "crustaceans", "eggs", "fish", "peanuts", "soybeans", "milk",
  "nuts", "celery", "mustard", "sesame", "sulphites", "lupin", "molluscs",
];

/** Kinds that carry meaning: only these are fuzzy targets and close a negation scope. */
export const MEANINGFUL: ReadonlySet<Kind> = new Set<Kind>(
  ["diet", "allergen", "condition", "price_max", "cheapest", "spicy", "mild", "course"]);
export const FUZZY_MIN_LENGTH = 5;

export interface Sense { kind: Kind; codes: string[] }
export interface Entry { senses: Sense[]; langs: Set<string>; kinds: Set<Kind> }

export interface Lexicon {
  phrases: Map<string, Entry>; // key: the phrase's words joined by one space
  longest: number;
  misspellings: Map<string, string[]>;
  fuzzyIndex: Map<string, string[]>; // a target or a target less one letter -> targets, sorted
  fuzzyStopwords: Set<string>;
  suffixes: Set<string>; // one-word "after" negations and intent words: "free", "fri", "allergie"...
  notFood: Set<string>; // words after "no"/"without" that name no food ("thanks", "rush")
  scope: number;
  sectionWords: [string, string[][]][]; // course -> phrases, in the vocabulary's order
  dietSatisfiedBy: Record<string, string[]>;
  languages: string[];
  ingredients: Map<string, string[][]>; // ingredient key -> its phrases, every language
  articles: Set<string>; // definite articles and demonstratives ("the", "den", "der")
}

/** A vocabulary block ({"en": [...], "sv": [...], "$comment": ...}) or anything else, read loosely. */
type Block = Record<string, unknown>;

/** The languages the chat understands (ISO 639-1), in the vocabulary's order. */
export const languages = (): string[] => LANGUAGES.understood.map(String);

/** {"en": [...], "sv": [...]} -> [lang, words] pairs of the understood languages. */
function perLang(block: unknown, langs: string[]): [string, string[]][] {
  const b = block as Block;
  return langs.map((lang) => [lang, Array.isArray(b[lang]) ? (b[lang] as unknown[]).map(String) : []]);
}

/** word and every form of it less one letter: two words within one edit share one of these. */
export function fuzzyKeys(word: string): string[] {
  const w = chars(word);
  return [word, ...w.map((_, i) => w.slice(0, i).join("") + w.slice(i + 1).join(""))];
}

const sameSense = (a: Sense, b: Sense): boolean => a.kind === b.kind && a.codes.join("\u0000") === b.codes.join("\u0000");

function build(): Lexicon {
  const langs = languages();
  const senses = new Map<string, Sense[]>();
  const seen = new Map<string, Set<string>>();
  const add = (block: unknown, sense: Sense): void => {
    for (const [lang, words] of perLang(block, langs)) {
      for (const word of words) {
        const key = phrase(word).join(" ");
        if (!key) continue;
        const list = senses.get(key) ?? [];
        if (!list.some((s) => sameSense(s, sense))) list.push(sense);
        senses.set(key, list);
        seen.set(key, (seen.get(key) ?? new Set()).add(lang));
      }
    }
  };
  const dietSatisfiedBy: Record<string, string[]> = {};
  for (const [code, diet] of Object.entries(diets)) {
    add((dietWords as Block)[code], { kind: "diet", codes: [code] });
    dietSatisfiedBy[code] = diet.satisfiedBy;
  }
  const groups: [Kind, unknown[]][] = [["allergen", allergenWords], ["condition", conditions]];
  for (const [kind, list] of groups) {
    for (const group of list as Block[]) add(group, { kind, codes: (group.codes as unknown[]).map(String) });
  }
  add(negation.before, { kind: "neg_before", codes: [] });
  add(negation.after, { kind: "neg_after", codes: [] });
  add(negation.connectors, { kind: "connector", codes: [] });
  add(negation.closers, { kind: "closer", codes: [] });
  add(allergyIntent, { kind: "intent", codes: [] });
  add(exclusion, { kind: "exclusion", codes: [] });
  add(positive, { kind: "positive", codes: [] });
  add(price.max, { kind: "price_max", codes: [] });
  add(price.cheapest, { kind: "cheapest", codes: [] });
  add(price.currency, { kind: "currency", codes: [] });
  add(spice.spicy, { kind: "spicy", codes: [] });
  add(spice.mild, { kind: "mild", codes: [] });
  const sectionWords: [string, string[][]][] = [];
  for (const [code, course] of Object.entries(courses)) {
    add(course.words, { kind: "course", codes: [code] });
    sectionWords.push([code, course.sectionWords.map(phrase)]);
  }
  const ingredients = new Map<string, string[][]>();
  for (const group of INGREDIENTS.groups as Block[]) {
    const key = String(group.key);
    const words = Object.fromEntries(Object.entries(group).filter(([lang]) => lang !== "key"));
    add(words, { kind: "ingredient", codes: [key] });
    const seenPhrase = new Set<string>();
    const list: string[][] = [];
    for (const [, ws] of perLang(words, langs)) {
      for (const w of ws) {
        const p = phrase(w);
        if (p.length && !seenPhrase.has(p.join(" "))) {
          seenPhrase.add(p.join(" "));
          list.push(p);
        }
      }
    }
    ingredients.set(key, list);
  }
  add(questions.recommend, { kind: "recommend", codes: [] });
  for (const [topic, words] of Object.entries(questions.info as Block)) add(words, { kind: "info", codes: [topic] });
  add(languageHints, { kind: "hint", codes: [] });
  add(reset, { kind: "reset", codes: [] });

  // a phrase that contains an allergy-intent phrase is one too ("allergic to" holds "allergic"),
  // whatever else it means, so a longest match never hides the intent
  const isIntent = (list: Sense[] | undefined): boolean => !!list?.some((s) => s.kind === "intent");
  for (const [key, list] of senses) {
    const words = key.split(" ");
    let inner = false;
    for (let i = 0; i < words.length && !inner; i++) {
      for (let j = i + 1; j <= words.length && !inner; j++) {
        if (i !== 0 || j !== words.length) inner = isIntent(senses.get(words.slice(i, j).join(" ")));
      }
    }
    if (!isIntent(list) && inner) list.push({ kind: "intent", codes: [] });
  }
  const phrases = new Map<string, Entry>();
  for (const [key, list] of senses) {
    phrases.set(key, { senses: list, langs: seen.get(key)!, kinds: new Set(list.map((s) => s.kind)) });
  }
  const single = [...phrases].filter(([key]) => !key.includes(" "));
  const suffixes = new Set(single.filter(([, e]) => e.kinds.has("neg_after") || e.kinds.has("intent")).map(([k]) => k));
  const fuzzyIndex = new Map<string, string[]>();
  const targets = single
    .filter(([k, e]) => chars(k).length >= FUZZY_MIN_LENGTH && [...e.kinds].some((kind) => MEANINGFUL.has(kind)))
    .map(([k]) => k).sort();
  for (const target of targets) {
    for (const key of new Set(fuzzyKeys(target))) {
      const list = fuzzyIndex.get(key);
      if (list) list.push(target);
      else fuzzyIndex.set(key, [target]);
    }
  }
  return {
    phrases,
    longest: Math.max(...[...phrases.keys()].map((k) => k.split(" ").length)),
    misspellings: new Map(Object.entries(misspellings).map(([wrong, right]) => [phrase(wrong).join(" "), phrase(right)])),
    fuzzyIndex,
    fuzzyStopwords: new Set(fuzzyStopwords.map((w) => phrase(w)[0]!)),
    suffixes,
    notFood: new Set(perLang(notAllergens, langs).flatMap(([, words]) => words.flatMap(phrase))),
    scope: negation.scope,
    sectionWords,
    dietSatisfiedBy,
    languages: langs,
    ingredients,
    articles: new Set(perLang(questions.articles, langs).flatMap(([, words]) => words.flatMap(phrase))),
  };
}

let built: Lexicon | undefined;

export const lexicon = (): Lexicon => (built ??= build());
