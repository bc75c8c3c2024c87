// Port of shared/chat/matching.py: tokens -> hits, the vocabulary phrases found in a message,
// longest match first; then allergen+negation compounds ("glutenfree", "nötfri"); then fuzzy
// matching (one edit, words of 5+ letters, meaningful targets only, never the listed stopwords).

import { type Entry, FUZZY_MIN_LENGTH, type Lexicon } from "./lexicon";
import { isNumber, type Token, withinOneEdit } from "./text";

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

function fuzzy(word: string, lex: Lexicon): Entry | undefined {
  if (word.length < FUZZY_MIN_LENGTH || lex.fuzzyStopwords.has(word)) return undefined;
  const target = lex.fuzzyTargets.find((t) => Math.abs(t.length - word.length) <= 1 && withinOneEdit(word, t));
  return target === undefined ? undefined : lex.phrases.get(target);
}

function allergen(word: string, lex: Lexicon): Entry | undefined {
  for (const candidate of [word, word.endsWith("s") ? word.slice(0, -1) : ""]) {
    let entry = candidate.length >= 2 ? lex.phrases.get(candidate) : undefined;
    if (!entry && candidate) entry = fuzzy(candidate, lex);
    if (entry?.kinds.has("allergen")) return entry;
  }
  return undefined;
}

function compound(word: string, i: number, brk: boolean, lex: Lexicon): Hit[] {
  for (const suffix of lex.suffixes) {
    if (word.endsWith(suffix) && word.length > suffix.length + 1) {
      const head = allergen(word.slice(0, -suffix.length), lex);
      const tail = lex.phrases.get(suffix);
      // a zero-width allergen hit right before the negation, so the two stay adjacent
      if (head && tail) return [{ start: i, end: i, entry: head, text: word, brk }, { start: i, end: i + 1, entry: tail, text: word, brk }];
    }
  }
  return [];
}

export function find(input: Token[], lex: Lexicon): Hit[] {
  const tokens = correct(input, lex);
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
    const found = compound(tok.text, i, tok.brk, lex);
    if (found.length) {
      hits.push(...found);
    } else {
      const entry = fuzzy(tok.text, lex);
      if (entry) hits.push({ start: i, end: i + 1, entry, text: tok.text, brk: tok.brk });
    }
    i++;
  }
  return hits;
}
