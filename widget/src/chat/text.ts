// Port of shared/chat/text.py: normalisation, tokens and edit distance. Strings are handled as
// arrays of code points, as Python does. Normalising casefolds (lower-casing plus the differences of
// Unicode case folding: ß -> ss, ς -> σ, iota subscripts -> ι, Cherokee, old Cyrillic forms),
// decomposes (NFKD) and drops the combining characters (canonical combining class > 0, as Python's
// unicodedata.combining: found with canonical reordering against U+0345, whose class is the highest).

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

const MARK = /\p{M}/u;
const combining = (ch: string): boolean =>
  MARK.test(ch) && (ch === "\u0345" || ("\u0345" + ch).normalize("NFD").codePointAt(0) !== 0x345);

export function normalise(text: string): string {
  if (/^[\x00-\x7f]*$/.test(text)) return text.toLowerCase(); // ASCII: nothing to fold or decompose
  const folded = text.toLowerCase().replace(/ß/g, "ss").replace(/ς/g, "σ")
    .replace(/[\u13f8-\u13fd\uab70-\uabbf]/g, (ch) => ch.toUpperCase())
    .replace(/[\u1c80-\u1c88]/g, (ch) => ch.toUpperCase().toLowerCase())
    .replace(/[\u0345\u1f80-\u1fff]/g, (ch) => ch.normalize("NFD").replace(/\u0345/g, "ι"));
  let out = "";
  for (const ch of folded.normalize("NFKD")) if (!combining(ch)) out += ch;
  return out;
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

/** The code points of s (Python's str indexing). */
export const chars = (s: string): string[] => Array.from(s);

/** Python's len(s). */
export const size = (s: string): number => chars(s).length;

/** Damerau-Levenshtein (optimal string alignment) distance of a and b is at most 1. */
export function withinOneEdit(word: string, target: string): boolean {
  if (word === target) return true;
  const a = chars(word), b = chars(target);
  const la = a.length, lb = b.length;
  if (Math.abs(la - lb) > 1) return false;
  const rest = (s: string[], from: number): string => s.slice(from).join("");
  let i = 0;
  while (i < Math.min(la, lb) && a[i] === b[i]) i++;
  if (la === lb) {
    if (rest(a, i + 1) === rest(b, i + 1)) return true; // one substitution
    return i + 1 < la && a[i] === b[i + 1] && a[i + 1] === b[i] && rest(a, i + 2) === rest(b, i + 2);
  }
  return la > lb ? rest(a, i + 1) === rest(b, i) : rest(a, i) === rest(b, i + 1);
}
