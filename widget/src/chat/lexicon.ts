// Port of shared/chat/lexicon.py: the chat vocabulary (shared/vocabulary.json, bundled at build
// time) compiled for matching: normalised phrase -> senses, with the languages that use it.

import {
  allergenWords, conditions, courses, diets, dietWords, languageHints, misspellings, negation, price, reset, spice,
  fuzzyStopwords,
} from "../../../shared/vocabulary.json";
import { phrase } from "./text";

export type Kind =
  | "diet" | "allergen" | "condition" | "neg_before" | "neg_after" | "connector" | "closer" | "price_max"
  | "cheapest" | "currency" | "spicy" | "mild" | "course" | "hint" | "reset";

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
  fuzzyTargets: string[];
  fuzzyStopwords: Set<string>;
  suffixes: string[]; // one-word "after" negations, longest first
  scope: number;
  sectionWords: [string, string[][]][]; // course -> phrases, in the vocabulary's order
  dietSatisfiedBy: Record<string, string[]>;
}

type Words = Record<string, string[] | string>;

function build(): Lexicon {
  const senses = new Map<string, Sense[]>();
  const langs = new Map<string, Set<string>>();
  const add = (block: Words, sense: Sense): void => {
    for (const [lang, words] of Object.entries(block)) {
      if (lang.startsWith("$") || lang === "codes") continue;
      for (const word of words as string[]) {
        const key = phrase(word).join(" ");
        if (!key) continue;
        const list = senses.get(key) ?? [];
        if (!list.some((s) => s.kind === sense.kind && s.codes.join() === sense.codes.join())) list.push(sense);
        senses.set(key, list);
        langs.set(key, (langs.get(key) ?? new Set()).add(lang));
      }
    }
  };
  const dietSatisfiedBy: Record<string, string[]> = {};
  for (const [code, diet] of Object.entries(diets)) {
    add(dietWords[code as keyof typeof dietWords], { kind: "diet", codes: [code] });
    dietSatisfiedBy[code] = diet.satisfiedBy;
  }
  for (const group of allergenWords) add(group as Words, { kind: "allergen", codes: group.codes });
  for (const group of conditions) add(group as Words, { kind: "condition", codes: group.codes });
  add(negation.before, { kind: "neg_before", codes: [] });
  add(negation.after, { kind: "neg_after", codes: [] });
  add(negation.connectors, { kind: "connector", codes: [] });
  add(negation.closers, { kind: "closer", codes: [] });
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
  add(languageHints, { kind: "hint", codes: [] });
  add(reset, { kind: "reset", codes: [] });

  const phrases = new Map<string, Entry>();
  for (const [key, list] of senses) {
    phrases.set(key, { senses: list, langs: langs.get(key)!, kinds: new Set(list.map((s) => s.kind)) });
  }
  const single = [...phrases].filter(([key]) => !key.includes(" "));
  const suffixes = single.filter(([, e]) => e.kinds.has("neg_after")).map(([k]) => k)
    .sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const fuzzyTargets = single
    .filter(([k, e]) => k.length >= FUZZY_MIN_LENGTH && [...e.kinds].some((kind) => MEANINGFUL.has(kind)))
    .map(([k]) => k).sort();
  return {
    phrases,
    longest: Math.max(...[...phrases.keys()].map((k) => k.split(" ").length)),
    misspellings: new Map(Object.entries(misspellings).map(([wrong, right]) => [phrase(wrong).join(" "), phrase(right)])),
    fuzzyTargets,
    fuzzyStopwords: new Set(fuzzyStopwords.map((w) => phrase(w)[0]!)),
    suffixes,
    scope: negation.scope,
    sectionWords,
    dietSatisfiedBy,
  };
}

let built: Lexicon | undefined;

export const lexicon = (): Lexicon => (built ??= build());
