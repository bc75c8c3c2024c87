// Port of shared/chat/constraints.py: message -> Constraints, deterministic and data-driven, in every
// language of the vocabulary's languages.understood. The rules (every allergen named is avoided unless
// plainly asked for; allergy intent without an allergen, or with an unknown word in its list, asks
// which; negation scope, "after" negations, price, language, follow-ups, a reset that keeps the
// avoided allergens, ingredients with/without/avoided, forget) are documented there.

import { EU14_ORDER, type Kind, type Lexicon, lexicon, MEANINGFUL } from "./lexicon";
import { correct, find, type Hit } from "./matching";
import { isNumber, size, type Token, tokenize } from "./text";

const MAX_PRICE_DIGITS = 7;
const LISTED: Kind[] = ["allergen", "condition", "ingredient"]; // what a negation's list holds
/** What a diner may take back from the assistant's reading besides allergen:, diet: and course: codes. */
export const FORGET_FIXED = ["maxPrice", "cheapest", "spicy"] as const;

export interface Constraints {
  diets: Set<string>;
  avoid: Set<string>; // EU-14 codes
  maxPriceCents: number | null;
  cheapest: boolean;
  spicy: boolean | null;
  courses: Set<string>;
  language: string | null; // one of lexicon().languages
  askAllergen: boolean; // allergy-related, but no allergen named yet: ask which
  withTerms: Set<string>; // ingredient keys: dishes whose menu text mentions one
  withoutTerms: Set<string>; // ingredient keys: dishes whose menu text mentions one are out
  avoidTerms: Set<string>; // allergies outside the EU-14 (ingredient keys): nothing is safe
}

/** Allergens are in play: undeclared items are out and the reply tells the diner to check. */
export const allergy = (c: Constraints): boolean => c.avoid.size > 0 || c.askAllergen || c.avoidTerms.size > 0;

const NONE: ReadonlySet<Kind> = new Set();
const kinds = (hit: Hit): ReadonlySet<Kind> => hit.entry?.kinds ?? NONE;
const any = (k: ReadonlySet<Kind>, of: Iterable<Kind>): boolean => [...of].some((kind) => k.has(kind));

/** Indices of the hits a negation applies to. */
function negatedHits(hits: Hit[], lex: Lexicon): Set<number> {
  const negated = new Set<number>();
  let scopeEnd = -1, listed = false;
  hits.forEach((hit, k) => {
    const ks = kinds(hit);
    if (hit.brk) scopeEnd = -1;
    if (hit.start < scopeEnd) {
      if (any(ks, LISTED)) {
        negated.add(k);
        scopeEnd = hit.end + lex.scope;
        listed = true;
        return;
      }
      if (ks.has("closer")) {
        scopeEnd = -1;
        return;
      }
      if (any(ks, MEANINGFUL)) {
        if (!listed) negated.add(k);
        scopeEnd = -1;
        return;
      }
    }
    if (ks.has("neg_before")) {
      scopeEnd = hit.end + lex.scope;
      listed = false;
    }
  });
  hits.forEach((hit, k) => {
    if (!kinds(hit).has("neg_after")) return;
    let cursor = hit.start, j = k - 1;
    while (j >= 0 && hits[j]!.end === cursor && !hits[j + 1]!.brk) {
      const before = kinds(hits[j]!);
      if (any(before, LISTED)) negated.add(j);
      else if (!before.has("connector")) break;
      cursor = hits[j]!.start;
      j--;
    }
  });
  return negated;
}

/** The last stated maximum price, in cents. */
function maxPrice(hits: Hit[]): number | null {
  let found: number | null = null;
  hits.forEach((hit, k) => {
    if (hit.entry || hit.text.split(".")[0]!.length > MAX_PRICE_DIGITS) return;
    const prev = hits[k - 1], next = hits[k + 1];
    const marked = hits.slice(Math.max(0, k - 2), k).some((p) => kinds(p).has("price_max") && hit.start - p.end <= 1);
    const withCurrency = (next && kinds(next).has("currency") && next.start === hit.end)
      || (prev && kinds(prev).has("currency") && prev.end === hit.start);
    // at most two decimals: never half a cent, so rounding half up is Python's round here
    if (marked || withCurrency) found = Math.round(parseFloat(hit.text) * 100);
  });
  return found;
}

/** The language whose words weigh most: a word counts for each language that lists it, one share
 * each ("jeg": half Danish, half Norwegian). Shares are whole numbers (of the least common multiple),
 * so ties are exact; a tie is null. */
function language(hits: Hit[], lex: Lexicon): string | null {
  const counts = new Map(lex.languages.map((lang) => [lang, 0]));
  const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);
  let whole = 1;
  for (let n = 2; n <= lex.languages.length; n++) whole = (whole * n) / gcd(whole, n);
  for (const h of hits) {
    if (!h.entry) continue;
    for (const lang of h.entry.langs) counts.set(lang, (counts.get(lang) ?? 0) + Math.floor(whole / h.entry.langs.size));
  }
  const best = Math.max(...counts.values());
  const winners = [...counts].filter(([, n]) => n === best).map(([lang]) => lang);
  return best && winners.length === 1 ? winners[0]! : null;
}

/** Token i is a word the vocabulary does not know and that may name a food. */
function unknown(tokens: Token[], i: number, covered: Set<number>, lex: Lexicon): boolean {
  if (i < 0 || i >= tokens.length || covered.has(i)) return false;
  const tok = tokens[i]!;
  return !isNumber(tok) && !lex.notFood.has(tok.text) && size(tok.text) > 2;
}

/** The list of allergens that starts at token i ("to nuts, eggs and mlik") holds a word the
 * vocabulary does not know; the list goes on over allergens and connectors only. */
function unknownInList(tokens: Token[], i: number, byStart: Map<number, Hit>, covered: Set<number>,
                       lex: Lexicon): boolean {
  while (i < tokens.length && !tokens[i]!.brk) {
    const hit = byStart.get(i);
    if (hit === undefined) return unknown(tokens, i, covered, lex);
    if (!any(kinds(hit), [...LISTED, "connector"])) return false;
    i = hit.end;
  }
  return false;
}

/** [the message is allergy-related, it names something the vocabulary cannot map to an allergen]
 * (see constraints.py). */
function allergyOf(tokens: Token[], hits: Hit[], lex: Lexicon): [boolean, boolean] {
  const covered = new Set<number>();
  const byStart = new Map<number, Hit>();
  for (const h of hits) {
    for (let i = h.start; i < Math.max(h.end, h.start + 1); i++) covered.add(i);
    if (h.end > h.start) byStart.set(h.start, h);
  }
  let intent = false, unresolved = false;
  for (const hit of hits) {
    const ks = kinds(hit);
    if (ks.has("intent") || ks.has("exclusion")) {
      // "allergic to X", "no X": the allergens follow; "X allergy": they come before
      const after = !ks.has("neg_after") || ks.has("exclusion");
      const unknownWord = after && unknownInList(tokens, hit.end, byStart, covered, lex);
      intent = intent || unknownWord || ks.has("intent");
      unresolved = unresolved || unknownWord;
    }
    if (ks.has("condition")) intent = true; // "coeliac", "laktosintolerant": an allergy, whatever the word lists say
    if (ks.has("neg_after") && hit.end === hit.start + 1 && !tokens[hit.start]!.brk
        && unknown(tokens, hit.start - 1, covered, lex)) intent = unresolved = true;
  }
  return [intent, unresolved];
}

/** Indices of allergen hits the message plainly asks for: right before or after a positive marker
 * ("extra nuts", "I love peanut sauce", "formaggio extra"), or continuing such an allergen's list
 * through a connector ("extra cheese and nuts"); then every other mention of an allergen asked for,
 * unless the message also negates it. Any other word in between ends it, so "extra careful with
 * nuts" avoids nuts. */
function positiveHits(hits: Hit[], negated: Set<number>): Set<number> {
  const asked = new Set<number>();
  let cursor = -1; // where the next asked-for allergen must start
  hits.forEach((hit, k) => {
    const ks = kinds(hit);
    if (hit.start !== cursor || hit.brk) cursor = -1;
    if (ks.has("positive")) {
      cursor = hit.end;
      const before = hits[k - 1];
      if (before && before.end === hit.start && !hit.brk && kinds(before).has("allergen")) asked.add(k - 1);
    } else if (cursor >= 0 && ks.has("allergen")) {
      asked.add(k);
      cursor = hit.end;
    } else if (cursor >= 0 && ks.has("connector") && asked.size) cursor = hit.end;
    else cursor = -1;
  });
  for (const k of negated) asked.delete(k);
  const negatedCodes = codesOf(hits, negated);
  const codes = new Set([...codesOf(hits, asked)].filter((c) => !negatedCodes.has(c)));
  const out = new Set<number>();
  hits.forEach((hit, k) => {
    if (!negated.has(k) && kinds(hit).has("allergen") && [...codesOf(hits, [k])].every((c) => codes.has(c))) out.add(k);
  });
  return out;
}

/** The allergen codes of the hits at indices. */
function codesOf(hits: Hit[], indices: Iterable<number>): Set<string> {
  const codes = new Set<string>();
  for (const k of indices) {
    for (const { kind, codes: of } of hits[k]!.entry?.senses ?? []) {
      if (kind === "allergen" || kind === "condition") of.forEach((c) => codes.add(c));
    }
  }
  return codes;
}

/** The message's tokens, explicit misspellings corrected: what read and the dish finder read. */
export const words = (message: string): Token[] => correct(tokenize(message), lexicon());

export interface Reading {
  current: Constraints; // what this message says on its own
  constraints: Constraints; // the conversation's constraints after it (previous followed up)
  hits: Hit[];
}

/** The codes of a reading's hits of one kind (info topics, say), in message order. */
export function topics(reading: Reading, kind: Kind): string[] {
  const out = new Set<string>();
  for (const h of reading.hits) {
    for (const sense of h.entry?.senses ?? []) {
      if (sense.kind === kind) for (const code of sense.codes.length ? sense.codes : [kind]) out.add(code);
    }
  }
  return [...out];
}

export const parse = (message: string, previous: Constraints | null = null): Constraints =>
  read(words(message), previous).constraints;

/** Tokens (words; the dish finder may have taken a dish's name out) -> the reading. */
export function read(tokens: Token[], previous: Constraints | null = null): Reading {
  const lex = lexicon();
  const hits = find(tokens, lex);
  const negated = negatedHits(hits, lex);
  const [intent, unresolved] = allergyOf(tokens, hits, lex);
  const asked = intent ? new Set<number>() : positiveHits(hits, negated);
  const diets = new Set<string>(), avoid = new Set<string>(), courses = new Set<string>();
  const withTerms = new Set<string>(), withoutTerms = new Set<string>(), avoidTerms = new Set<string>();
  let spicy: boolean | null = null, cheapest = false, reset = false;
  hits.forEach((hit, k) => {
    if (!hit.entry) return;
    const neg = negated.has(k);
    const allergenic = hit.entry.kinds.has("allergen") || hit.entry.kinds.has("condition");
    for (const { kind, codes } of hit.entry.senses) {
      if ((kind === "allergen" && !asked.has(k)) || kind === "condition") codes.forEach((c) => avoid.add(c));
      else if (kind === "ingredient") {
        // an allergen word (salmon, cheese) keeps its allergen meaning: only asked for is it "with"
        if (allergenic) {
          if (asked.has(k)) codes.forEach((c) => withTerms.add(c));
        } else if (intent) codes.forEach((c) => avoidTerms.add(c));
        else codes.forEach((c) => (neg ? withoutTerms : withTerms).add(c));
      } else if (kind === "diet" && !neg) codes.forEach((c) => diets.add(c));
      else if (kind === "course" && !neg) codes.forEach((c) => courses.add(c));
      else if ((kind === "spicy" || kind === "mild") && !(neg && kind === "mild")) spicy = kind === "spicy" && !neg;
      else if (kind === "cheapest" && !neg) cheapest = true;
      else if (kind === "reset") reset = true;
    }
  });
  const current: Constraints = {
    diets, avoid, maxPriceCents: maxPrice(hits), cheapest, spicy, courses, language: language(hits, lex),
    askAllergen: intent && (unresolved || !(avoid.size || avoidTerms.size)), withTerms, withoutTerms, avoidTerms,
  };
  return { current, constraints: followUp(current, previous, reset), hits };
}

const union = (a: Set<string>, b: Set<string>): Set<string> => new Set([...a, ...b]);
const minus = (a: Set<string>, b: Set<string>): Set<string> => new Set([...a].filter((v) => !b.has(v)));

function followUp(current: Constraints, previous: Constraints | null, reset: boolean): Constraints {
  if (!previous) return current;
  if (reset) {
    return { ...current, avoid: union(current.avoid, previous.avoid),
             avoidTerms: union(current.avoidTerms, previous.avoidTerms) };
  }
  return {
    diets: current.diets.size ? current.diets : previous.diets,
    avoid: union(current.avoid, previous.avoid),
    maxPriceCents: current.maxPriceCents ?? previous.maxPriceCents,
    cheapest: current.cheapest || previous.cheapest,
    spicy: current.spicy ?? previous.spicy,
    courses: current.courses.size ? current.courses : previous.courses,
    language: current.language ?? previous.language,
    askAllergen: current.askAllergen || (previous.askAllergen && !(current.avoid.size || current.avoidTerms.size)),
    withTerms: minus(current.withTerms.size ? current.withTerms : previous.withTerms, current.withoutTerms),
    withoutTerms: minus(union(current.withoutTerms, previous.withoutTerms), current.withTerms),
    avoidTerms: union(current.avoidTerms, previous.avoidTerms),
  };
}

/** Constraints.forget of the Python core: the diner took part of the reading back (allergen:nuts,
 * diet:vegan, course:dessert, maxPrice, cheapest, spicy). */
export function forget(c: Constraints, what: Iterable<string>): Constraints {
  const gone = new Set(what);
  const strip = (kind: string, values: Set<string>): Set<string> =>
    new Set([...values].filter((v) => !gone.has(`${kind}:${v}`)));
  return {
    ...c, avoid: strip("allergen", c.avoid), diets: strip("diet", c.diets), courses: strip("course", c.courses),
    maxPriceCents: gone.has("maxPrice") ? null : c.maxPriceCents, cheapest: c.cheapest && !gone.has("cheapest"),
    spicy: gone.has("spicy") ? null : c.spicy, withTerms: strip("ingredient", c.withTerms),
    withoutTerms: strip("ingredient", c.withoutTerms), avoidTerms: strip("ingredient", c.avoidTerms),
  };
}

/** Python's sorted() on strings: code-point order. */
export const sorted = (values: Iterable<string>): string[] => [...values].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));

/** What the assistant read (the answer's understood): Constraints.to_json of the Python core. */
export interface Understood {
  diets: string[];
  avoid: string[]; // EU-14 codes, in the regulation's order
  maxPriceCents: number | null;
  cheapest: boolean;
  spicy: boolean | null;
  courses: string[];
  language: string | null;
  askAllergen: boolean; // the reply asks which allergen; the chips name them
  with: string[]; // ingredient keys
  without: string[];
  avoidTerms: string[]; // allergies outside the EU-14
  termLabels?: Record<string, string>; // every ingredient key above -> a word of the reply's language (turn adds it)
}

/** Constraints.to_json of the Python core (the answer's understood, and what tests compare). */
export function toJson(c: Constraints): Understood {
  return {
    diets: sorted(c.diets), avoid: EU14_ORDER.filter((a) => c.avoid.has(a)), maxPriceCents: c.maxPriceCents,
    cheapest: c.cheapest, spicy: c.spicy, courses: sorted(c.courses), language: c.language,
    askAllergen: c.askAllergen, with: sorted(c.withTerms), without: sorted(c.withoutTerms),
    avoidTerms: sorted(c.avoidTerms),
  };
}

/** Constraints.from_json of the Python core, for well-formed input (a context written before
 * mentioned was retired has its mentioned allergens avoided). */
export function fromJson(data: Record<string, unknown>): Constraints {
  const set = (key: string): string[] => (data[key] as string[] | undefined) ?? [];
  return {
    diets: new Set(set("diets")), avoid: new Set([...set("avoid"), ...set("mentioned")]),
    maxPriceCents: (data.maxPriceCents as number | undefined) ?? null, cheapest: data.cheapest === true,
    spicy: (data.spicy as boolean | undefined) ?? null, courses: new Set(set("courses")),
    language: (data.language as string | undefined) ?? null, askAllergen: data.askAllergen === true,
    withTerms: new Set(set("with")), withoutTerms: new Set(set("without")), avoidTerms: new Set(set("avoidTerms")),
  };
}
