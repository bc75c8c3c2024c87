// Port of shared/chat/dishes.py: which dish a message is about: its name, fuzzy, case- and
// accent-tolerant, inflected ("kladdkakan", "the meatball"), or a distinctive word of it ("the
// curry"). The rules (inflections, truncations, one edit from six letters on, vocabulary words that
// name a dish only with an article or an inflection, the best-scored dish, a tie asks which) are
// documented there.

import type { Item } from "./candidates";
import type { Kind, Lexicon } from "./lexicon";
import { chars, type Token, phrase, size, withinOneEdit } from "./text";

const INFLECTION = 4; // letters a message word may add to a name word
const TRUNCATION = 2; // letters a message word may lack
const FUZZY = 6; // letters both words need for a match one edit away
const MEMO = 4096; // tokens remembered per menu
const PLURALS = new Set(["s", "es"]); // suffixes that are no article
// endings on a name word less its final vowel: "burgare" -> "burgarna", "kaka" -> "kakor"
const VOWEL_STEM_SUFFIXES = new Set(["na", "or", "orna", "ar", "arna", "er", "erna"]);
const SEARCH: Kind[] = ["positive", "exclusion", "neg_before", "hint"];
const FILLER = new Set<Kind>(["hint", "connector", "closer", "neg_before", "neg_after", "exclusion", "positive",
                              "price_max", "currency"]);

export interface Dish {
  item: Item;
  words: string[]; // the name's meaningful words
  glue: Set<string>; // the name's other words ("and", "with")
  generic: Set<string>; // those the vocabulary gives a meaning of its own
}

export interface DishIndex {
  dishes: Dish[];
  counts: Map<string, number>; // name word -> how many dishes' names hold it
  seen: Map<string, Map<string, string>>; // token -> {name word: how}, memoised
}

export interface DishRef {
  items: Item[]; // one: the dish; several: which one?
  span: Set<number>; // the message's token positions that named it
}

function filler(word: string, lex: Lexicon): boolean {
  const entry = lex.phrases.get(word);
  return size(word) < 2 || lex.articles.has(word) || (entry !== undefined && [...entry.kinds].every((k) => FILLER.has(k)));
}

export function index(items: Item[], lex: Lexicon): DishIndex {
  const dishes: Dish[] = [];
  const counts = new Map<string, number>();
  for (const item of items) {
    const all = phrase(item.name);
    const words = [...new Set(all.filter((w) => !filler(w, lex) && !/^[0-9]+$/.test(w)))];
    const generic = new Set(words.filter((w) => lex.phrases.has(w)));
    dishes.push({ item, words, glue: new Set(all.filter((w) => !words.includes(w))), generic });
    for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return { dishes, counts, seen: new Map() };
}

/** stem + suffix is word with an ending: the word itself, or the word less its final vowel with a
 * Swedish-style ending ("burgar" + "na"). */
function inflected(stem: string, suffix: string, word: string): boolean {
  const w = chars(word);
  return stem === word || (stem === w.slice(0, -1).join("") && "aeo".includes(w[w.length - 1]!)
                           && VOWEL_STEM_SUFFIXES.has(suffix));
}

/** How token matches word: "same", "plural", "inflected" (an ending that may be a definite article:
 * "kladdkakan"), "part" (the head of a compound name: "burgare" in "Nattburgare"), "near", or null. */
function match(token: string, word: string): string | null {
  if (token === word) return "same";
  const t = chars(token), w = chars(word);
  if (w.length >= 4) {
    // the name word, or from six letters on a misspelling of it, then an ending ("kladkakan")
    const sizes = w.length >= FUZZY ? [w.length, w.length - 1, w.length + 1] : [w.length, w.length - 1];
    for (const n of sizes) {
      const stem = t.slice(0, n).join(""), suffix = t.slice(n).join("");
      const len = Math.max(0, t.length - n);
      if (len > 0 && len <= INFLECTION && (inflected(stem, suffix, word) || (w.length >= FUZZY && withinOneEdit(stem, word)))) {
        return PLURALS.has(suffix) ? "plural" : "inflected";
      }
    }
  }
  if (t.length >= 5 && word.startsWith(token) && w.length - t.length <= TRUNCATION) return "near";
  const last = w[w.length - 1] ?? "", cutWord = w.slice(0, -1).join("");
  for (let cut = 0; cut <= INFLECTION; cut++) { // the head of a compound name: "burgaren" in "Nattburgare"
    const n = t.length - cut;
    if (n < 5) break;
    const stem = t.slice(0, n).join(""), suffix = t.slice(n).join("");
    if (w.length > n && word.endsWith(stem)) return !suffix || PLURALS.has(suffix) ? "part" : "inflected";
    if (w.length - 1 > n && cutWord.endsWith(stem) && inflected(stem, suffix, stem + last)) return "inflected";
  }
  if (t.length >= FUZZY && w.length >= FUZZY && withinOneEdit(token, word)) return "near";
  return null;
}

/** The name words token matches, and how, memoised per index (a menu's names, many messages). */
function matches(index: DishIndex, token: string): Map<string, string> {
  let found = index.seen.get(token);
  if (found === undefined) {
    found = new Map();
    for (const word of index.counts.keys()) {
      const how = match(token, word);
      if (how !== null) found.set(word, how);
    }
    if (index.seen.size >= MEMO) index.seen.clear();
    index.seen.set(token, found);
  }
  return found;
}

export function findDish(tokens: Token[], index: DishIndex, lex: Lexicon): DishRef | null {
  const scored: [number[], Dish, Set<number>][] = [];
  const found = tokens.map((tok) => matches(index, tok.text));
  for (const dish of index.dishes) {
    if (!dish.words.length) continue;
    const at = new Map<string, number>();
    const definite = new Set<string>();
    let searched = false;
    tokens.forEach((tok, i) => {
      for (const word of dish.words) {
        const how = at.has(word) ? null : found[i]!.get(word) ?? null;
        if (how === null) continue;
        at.set(word, i);
        const before = i && !tok.brk ? lex.phrases.get(tokens[i - 1]!.text) : undefined;
        if (how === "inflected" || (i && !tok.brk && lex.articles.has(tokens[i - 1]!.text))) definite.add(word);
        searched = searched || (before !== undefined && SEARCH.some((k) => before.kinds.has(k)));
        break;
      }
    });
    // a vocabulary word names the dish only with an article, as the whole name, or next to another
    // word of the name: "does the risotto have mushrooms?" asks about the risotto's mushrooms
    const beside = (i: number, j: number): boolean =>
      Math.abs(i - j) === 1 || (Math.abs(i - j) === 2 && dish.glue.has(tokens[Math.min(i, j) + 1]!.text));
    const matched = new Map([...at].filter(([w, i]) =>
      !dish.generic.has(w) || definite.has(w) || dish.words.length === 1
      || [...at].some(([v, j]) => v !== w && beside(i, j))));
    if (!matched.size) continue;
    const whole = matched.size === dish.words.length;
    const distinctive = [...matched.keys()].filter((w) => index.counts.get(w) === 1 && size(w) >= 4);
    let specific = whole || distinctive.some((w) => !dish.generic.has(w) || definite.has(w));
    if ([...matched.keys()].every((w) => dish.generic.has(w)) && searched
        && ![...matched.keys()].some((w) => definite.has(w))) specific = false; // "something with salmon": a search
    if (!specific) continue;
    let letters = 0;
    for (const i of matched.values()) letters += size(tokens[i]!.text);
    scored.push([[Number(whole), matched.size, letters], dish, new Set(matched.values())]);
  }
  if (!scored.length) return null;
  const cmp = (a: number[], b: number[]): number => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!;
  const best = scored.reduce((m, [s]) => (cmp(s, m) > 0 ? s : m), scored[0]![0]);
  const top = scored.filter(([s]) => cmp(s, best) === 0);
  return { items: top.map(([, d]) => d.item), span: new Set(top.flatMap(([, , span]) => [...span])) };
}
