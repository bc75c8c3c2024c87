// Port of shared/chat/text.py: normalisation, tokens and edit distance. Strings are handled as
// arrays of code points, as Python does. Normalising lower-cases (with the one casefold difference
// that matters for Latin text, ß -> ss), decomposes (NFKD) and drops non-spacing marks.

const SYMBOLS = "€$£";
const BREAKS = ".!?;:\n";
const APOSTROPHES = "'`\u2019\u00b4";
const LETTER = /\p{L}/u;

export interface Token {
  text: string;
  brk: boolean; // a sentence break comes just before this token
}

const isDigit = (ch: string): boolean => ch >= "0" && ch <= "9" && ch.length === 1;

export const isNumber = (t: Token): boolean => isDigit(t.text[0]!);

export function normalise(text: string): string {
  return text.toLowerCase().replace(/ß/g, "ss").normalize("NFKD").replace(/\p{Mn}/gu, "");
}

function number(s: string[], i: number): [string, number] {
  let j = i;
  while (j < s.length && isDigit(s[j]!)) j++;
  if (j + 1 < s.length && (s[j] === "." || s[j] === ",") && isDigit(s[j + 1]!)) {
    let k = j + 1;
    while (k < s.length && isDigit(s[k]!)) k++;
    const whole = s.slice(i, j).join(""), part = s.slice(j + 1, k).join("");
    // one or two digits after the separator are decimals ("149,50"); three are thousands ("1,000")
    return [k - j - 1 <= 2 ? whole + "." + part : whole + part, k];
  }
  return [s.slice(i, j).join(""), j];
}

export function tokenize(text: string): Token[] {
  const s = Array.from(normalise(text));
  const out: Token[] = [];
  let brk = false;
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    let word: string;
    if (isDigit(ch)) {
      [word, i] = number(s, i);
    } else if (LETTER.test(ch)) {
      let j = i;
      while (j < s.length && (LETTER.test(s[j]!) || APOSTROPHES.includes(s[j]!))) j++;
      word = s.slice(i, j).filter((c) => !APOSTROPHES.includes(c)).join("");
      i = j;
    } else if (SYMBOLS.includes(ch)) {
      word = ch;
      i++;
    } else {
      brk ||= BREAKS.includes(ch);
      i++;
      continue;
    }
    out.push({ text: word, brk });
    brk = false;
  }
  return out;
}

/** A vocabulary phrase as its normalised words. */
export const phrase = (text: string): string[] => tokenize(text).map((t) => t.text);

/** Damerau-Levenshtein (optimal string alignment) distance of a and b is at most 1. */
export function withinOneEdit(a: string, b: string): boolean {
  if (a === b) return true;
  const la = a.length, lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  let i = 0;
  while (i < Math.min(la, lb) && a[i] === b[i]) i++;
  if (la === lb) {
    if (a.slice(i + 1) === b.slice(i + 1)) return true; // one substitution
    return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
  }
  return la > lb ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}
