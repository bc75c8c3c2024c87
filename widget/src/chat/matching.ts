// Port of shared/chat/matching.py: tokens (already corrected) -> hits, the vocabulary phrases found in
// a message, longest match first; then, for a single unmatched word of five letters or more: an
// allergen + "after" negation or allergy-word compound ("glutenfree", "Nussallergie"; an unknown start
// before an allergy word is that allergy word: "matallergi"), a word that
// starts or ends with an allergen word of 4+ letters ("Erdnussbutter"), a fuzzy match (one edit,
// meaningful targets only, never the listed stopwords; the alphabetically first target wins).

import { type Entry, FUZZY_MIN_LENGTH, fuzzyKeys, type Lexicon, type Sense } from "./lexicon";
import { chars, isNumber, type Token, withinOneEdit } from "./text";

const EMBEDDED_MIN_LENGTH = 4; // an allergen word inside a compound has at least this many letters

export interface Hit {
  start: number; // token positions [start, end)
  end: number;
  entry: Entry | null; // null: a number
  text: string;
  brk: boolean; // a sentence break just before this hit
}

/** Replace explicitly listed misspellings (one or two words) by their corrections. */
export function correct(tokens: Token[], lex: Lexicon): Token[] {
  const out: Token[] = [];
  let i = 0;
  outer: while (i < tokens.length) {
    for (const size of [2, 1]) {
      const key = tokens.slice(i, i + size);
      const right = key.length === size ? lex.misspellings.get(key.map((t) => t.text).join(" ")) : undefined;
      if (right) {
        right.forEach((w, n) => out.push({ text: w, brk: tokens[i]!.brk && n === 0 }));
        i += size;
        continue outer;
      }
    }
    out.push(tokens[i]!);
    i++;
  }
  return out;
}

const lookup = (word: string, lex: Lexicon): Entry | null => lex.phrases.get(word) ?? null;

function fuzzy(word: string, lex: Lexicon): Entry | null {
  if (chars(word).length < FUZZY_MIN_LENGTH || lex.fuzzyStopwords.has(word)) return null;
  let best: string | undefined;
  for (const key of fuzzyKeys(word)) {
    for (const target of lex.fuzzyIndex.get(key) ?? []) {
      if ((best === undefined || target < best) && withinOneEdit(word, target)) best = target;
    }
  }
  return best === undefined ? null : lookup(best, lex);
}

const allergenic = (entry: Entry | null): entry is Entry =>
  entry !== null && (entry.kinds.has("allergen") || entry.kinds.has("condition"));

/** word as an allergen: as written, without a trailing "s", one edit away, or embedded. */
function allergen(word: string, lex: Lexicon): Entry | null {
  for (const candidate of [word, word.endsWith("s") ? chars(word).slice(0, -1).join("") : ""]) {
    let entry = chars(candidate).length >= 2 ? lookup(candidate, lex) : null;
    if (entry === null && candidate) entry = fuzzy(candidate, lex);
    if (allergenic(entry)) return entry;
  }
  return embedded(word, lex);
}

/** word as an ingredient ("tomat" of "tomatallergi"), as written or less a linking "s". */
function ingredient(word: string, lex: Lexicon): Entry | null {
  for (const candidate of [word, word.endsWith("s") ? chars(word).slice(0, -1).join("") : ""]) {
    const entry = candidate ? lookup(candidate, lex) : null;
    if (entry !== null && entry.kinds.has("ingredient")) return entry;
  }
  return null;
}

/** The allergens of a word that starts or ends with an allergen word (longest part first). */
function embedded(word: string, lex: Lexicon): Entry | null {
  const w = chars(word);
  const parts: Entry[] = [];
  for (const end of [false, true]) {
    for (let size = w.length - 1; size >= EMBEDDED_MIN_LENGTH; size--) {
      const entry = lookup((end ? w.slice(w.length - size) : w.slice(0, size)).join(""), lex);
      if (allergenic(entry)) {
        parts.push(entry);
        break;
      }
    }
  }
  if (!parts.length) return null;
  const senses: Sense[] = [];
  for (const s of parts.flatMap((e) => e.senses)) {
    if ((s.kind === "allergen" || s.kind === "condition")
        && !senses.some((t) => t.kind === s.kind && t.codes.join("\u0000") === s.codes.join("\u0000"))) senses.push(s);
  }
  return { senses, langs: new Set(parts.flatMap((e) => [...e.langs])), kinds: new Set(senses.map((s) => s.kind)) };
}

/** word alone refers to an allergen, as find would read it: as written, a compound, embedded or one
 * edit away ("latte", "Erdnussbutter", "nötfri"). */
export function namesAllergen(word: string, lex: Lexicon): boolean {
  const entry = lookup(word, lex);
  return entry !== null ? allergenic(entry) : allergenic(single(word, lex)[0]);
}

type Reading = [Entry | null, Entry | null];
const cache = new Map<string, Reading>();

/** An unmatched word's reading: [allergen, trailing negation or intent] for a compound, else
 * [embedded allergens or a fuzzy match, null]. Depends on the word alone, so it is cached. */
function single(word: string, lex: Lexicon): Reading {
  let reading = cache.get(word);
  if (reading === undefined) {
    reading = read(word, lex);
    if (cache.size >= 8192) cache.clear();
    cache.set(word, reading);
  }
  return reading;
}

function read(word: string, lex: Lexicon): Reading {
  const w = chars(word);
  if (w.length < FUZZY_MIN_LENGTH) return [null, null];
  for (let size = 2; size < w.length - 1; size++) { // the longest suffix first, the allergen at least 2 letters
    const tail = w.slice(size).join("");
    if (lex.suffixes.has(tail)) {
      const head = allergen(w.slice(0, size).join(""), lex) ?? ingredient(w.slice(0, size).join(""), lex), entry = lookup(tail, lex);
      // an allergy word ends it: "matallergi" is allergy-related
      if (head !== null || (entry !== null && entry.kinds.has("intent") && entry.kinds.has("neg_after"))) {
        return [head, entry];
      }
    }
  }
  return [embedded(word, lex) ?? fuzzy(word, lex), null];
}

/** The hits in tokens (already corrected), in order. */
export function find(tokens: Token[], lex: Lexicon): Hit[] {
  const hits: Hit[] = [];
  let i = 0;
  outer: while (i < tokens.length) {
    const tok = tokens[i]!;
    if (isNumber(tok)) {
      hits.push({ start: i, end: i + 1, entry: null, text: tok.text, brk: tok.brk });
      i++;
      continue;
    }
    for (let size = Math.min(lex.longest, tokens.length - i); size > 0; size--) {
      const window = tokens.slice(i, i + size);
      if (window.slice(1).some((t) => t.brk)) continue;
      const text = window.map((t) => t.text).join(" ");
      const entry = lex.phrases.get(text);
      if (entry) {
        hits.push({ start: i, end: i + size, entry, text, brk: tok.brk });
        i += size;
        continue outer;
      }
    }
    const [head, tail] = single(tok.text, lex);
    if (tail !== null) {
      // a zero-width allergen hit right before the negation, so the two stay adjacent
      if (head !== null) hits.push({ start: i, end: i, entry: head, text: tok.text, brk: tok.brk });
      hits.push({ start: i, end: i + 1, entry: tail, text: tok.text, brk: tok.brk });
    } else if (head !== null) {
      hits.push({ start: i, end: i + 1, entry: head, text: tok.text, brk: tok.brk });
    }
    i++;
  }
  return hits;
}
