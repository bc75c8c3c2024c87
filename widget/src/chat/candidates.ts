// Port of shared/chat/candidates.py: constraints + the public menu payload -> the only items a reply
// may name. Every stated constraint must hold; when allergens are to be avoided, an item whose
// allergens are not declared is never a candidate (`undeclared` counts them so the reply can say
// "ask staff"); diets are satisfied only by explicit tags. Ingredients ("with chicken", "no potatoes")
// are read from the menu text (mentions); an allergy outside the EU-14 (avoidTerms) leaves no candidate.

import type { Menu } from "../types";
import type { Constraints } from "./constraints";
import { type Lexicon, lexicon } from "./lexicon";
import { chars, phrase, size } from "./text";

export interface Item {
  id: string;
  name: string;
  priceCents: number;
  allergens: Set<string>;
  allergensDeclared: boolean;
  tags: Set<string>;
  courses: Set<string>;
  section: string;
  position: number;
  description: string;
  words: string[]; // the name's and the description's normalised words (mentions)
}

export interface Selection {
  candidates: Item[];
  undeclared: number;
  excluded: number;
}

export function sectionCourses(name: string, key: string | null | undefined, lex: Lexicon): Set<string> {
  const words = phrase(`${name} ${key ?? ""}`);
  const found = new Set<string>();
  for (const [course, patterns] of lex.sectionWords) {
    for (const pattern of patterns) {
      const last = pattern[pattern.length - 1]!;
      for (let i = 0; i + pattern.length <= words.length; i++) {
        const window = words.slice(i, i + pattern.length);
        const end = window[window.length - 1]!;
        if (window.slice(0, -1).join(" ") === pattern.slice(0, -1).join(" ")
            && (end === last || (last.length >= 4 && end.startsWith(last)))) found.add(course);
      }
    }
  }
  return found.size ? found : new Set(["main"]);
}

/** The payload's usable items in menu order, and how many entries were unusable (skipped). */
export function menuItems(menu: Menu): [Item[], number] {
  const lex = lexicon();
  const items: Item[] = [];
  let skipped = 0;
  for (const section of menu.sections ?? []) {
    const raw = section.items ?? [];
    if (section.active === false) {
      skipped += raw.length;
      continue;
    }
    const courses = sectionCourses(String(section.name ?? ""), section.key, lex);
    for (const it of raw) {
      if (it.available === false || it.id == null || !it.name || !Number.isInteger(it.priceCents)) {
        skipped++;
        continue;
      }
      items.push({
        id: String(it.id), name: String(it.name), priceCents: it.priceCents, allergens: new Set(it.allergens ?? []),
        allergensDeclared: it.allergensDeclared === true, tags: new Set(it.tags ?? []), courses,
        section: String(section.name ?? ""), position: items.length, description: String(it.description || ""),
        words: phrase(`${it.name} ${it.description || ""}`),
      });
    }
  }
  return [items, skipped];
}

/** t is a compound of w: it starts with it ("kycklingfilé", not "köttfri": a trailing negation is the
 * opposite) or ends with it after at least three letters ("gravlax" needs the word to have four:
 * "ananas" is not in "bananas"). */
function compound(t: string, w: string, lex: Lexicon): boolean {
  const tc = chars(t), n = size(w);
  if (n < 4 || tc.length <= n) return false;
  if (t.startsWith(w)) {
    const rest = tc.slice(n);
    return !lex.suffixes.has(rest.join("")) && !lex.suffixes.has(rest.slice(1).join(""));
  }
  return t.endsWith(w) && tc.length - n >= 3;
}

function mentionsPhrase(words: string[], p: string[], lex: Lexicon): boolean {
  if (p.length === 1) return words.some((t) => t === p[0] || compound(t, p[0]!, lex));
  for (let i = 0; i + p.length <= words.length; i++) if (p.every((w, n) => words[i + n] === w)) return true;
  return false;
}

/** The dish's name or description mentions the ingredient key in any language (menu text, not
 * declared data: a dish may hold what its text does not say). */
export const mentions = (item: Item, key: string, lex: Lexicon = lexicon()): boolean =>
  (lex.ingredients.get(key) ?? []).some((p) => mentionsPhrase(item.words, p, lex));

function breaks(item: Item, c: Constraints, lex: Lexicon): boolean {
  for (const diet of c.diets) {
    if (!(lex.dietSatisfiedBy[diet] ?? []).some((t) => item.tags.has(t))) return true;
  }
  for (const a of c.avoid) if (item.allergens.has(a)) return true;
  if (c.maxPriceCents !== null && item.priceCents > c.maxPriceCents) return true;
  if (c.spicy !== null && item.tags.has("spicy") !== c.spicy) return true;
  if (c.courses.size > 0 && ![...c.courses].some((k) => item.courses.has(k))) return true;
  for (const key of c.withoutTerms) if (mentions(item, key, lex)) return true;
  return c.withTerms.size > 0 && ![...c.withTerms].some((key) => mentions(item, key, lex));
}

export function selectItems(items: Item[], skipped: number, c: Constraints): Selection {
  const lex = lexicon();
  if (c.avoidTerms.size) return { candidates: [], undeclared: 0, excluded: items.length + skipped };
  let passing = items.filter((item) => !breaks(item, c, lex));
  let undeclared = 0;
  if (c.avoid.size) {
    undeclared = passing.filter((item) => !item.allergensDeclared).length;
    passing = passing.filter((item) => item.allergensDeclared);
  }
  passing.sort(c.cheapest
    ? (a, b) => a.priceCents - b.priceCents || a.position - b.position
    : (a, b) => Number(!a.tags.has("popular")) - Number(!b.tags.has("popular")) || a.position - b.position);
  return { candidates: passing, undeclared, excluded: items.length + skipped - passing.length };
}

export const select = (menu: Menu, c: Constraints): Selection => {
  const [items, skipped] = menuItems(menu);
  return selectItems(items, skipped, c);
};
