// Port of shared/chat/constraints.py: message -> Constraints, deterministic and data-driven. The
// rules (negation scope, "after" negations, price, language, follow-ups) are documented there.

import { type Kind, type Lexicon, lexicon, MEANINGFUL } from "./lexicon";
import { find, type Hit } from "./matching";
import { tokenize } from "./text";
import { EU14 } from "../vocab";

export type Language = "en" | "sv";
const MAX_PRICE_DIGITS = 7;

export interface Constraints {
  diets: Set<string>;
  avoid: Set<string>; // EU-14 codes
  maxPriceCents: number | null;
  cheapest: boolean;
  spicy: boolean | null;
  courses: Set<string>;
  language: Language | null;
  mentioned: Set<string>; // allergens named without negation
}

export const namesAllergens = (c: Constraints): boolean => c.avoid.size > 0 || c.mentioned.size > 0;

const kinds = (hit: Hit): Set<Kind> => hit.entry?.kinds ?? new Set();
const meaningful = (k: Set<Kind>): boolean => [...k].some((kind) => MEANINGFUL.has(kind));

/** Indices of the hits a negation applies to. */
function negatedHits(hits: Hit[], lex: Lexicon): Set<number> {
  const negated = new Set<number>();
  let scopeEnd = -1, listed = false;
  hits.forEach((hit, k) => {
    const ks = kinds(hit);
    if (hit.brk) scopeEnd = -1;
    if (hit.start < scopeEnd) {
      if (ks.has("allergen") || ks.has("condition")) {
        negated.add(k);
        scopeEnd = hit.end + lex.scope;
        listed = true;
        return;
      }
      if (ks.has("closer")) {
        scopeEnd = -1;
        return;
      }
      if (meaningful(ks)) {
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
      if (before.has("allergen")) negated.add(j);
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
    if (marked || withCurrency) found = Math.round(parseFloat(hit.text) * 100);
  });
  return found;
}

function language(hits: Hit[]): Language | null {
  const only = (lang: string): number =>
    hits.filter((h) => h.entry && h.entry.langs.size === 1 && h.entry.langs.has(lang)).length;
  const en = only("en"), sv = only("sv");
  return en > sv ? "en" : sv > en ? "sv" : null;
}

export function parse(message: string, previous: Constraints | null = null): Constraints {
  const lex = lexicon();
  const hits = find(tokenize(message), lex);
  const negated = negatedHits(hits, lex);
  const diets = new Set<string>(), avoid = new Set<string>(), mentioned = new Set<string>();
  const courses = new Set<string>();
  let spicy: boolean | null = null, cheapest = false, reset = false;
  hits.forEach((hit, k) => {
    if (!hit.entry) return;
    const neg = negated.has(k), ks = hit.entry.kinds;
    for (const { kind, codes } of hit.entry.senses) {
      if (kind === "allergen" && (neg || !ks.has("neg_before"))) codes.forEach((c) => (neg ? avoid : mentioned).add(c));
      else if (kind === "condition") codes.forEach((c) => avoid.add(c));
      else if (kind === "diet" && !neg) codes.forEach((c) => diets.add(c));
      else if (kind === "course" && !neg) codes.forEach((c) => courses.add(c));
      else if ((kind === "spicy" || kind === "mild") && !(neg && kind === "mild")) spicy = kind === "spicy" && !neg;
      else if (kind === "cheapest" && !neg) cheapest = true;
      else if (kind === "reset") reset = true;
    }
  });
  const current: Constraints = {
    diets, avoid, maxPriceCents: maxPrice(hits), cheapest, spicy, courses, language: language(hits),
    mentioned: new Set([...mentioned].filter((a) => !avoid.has(a))),
  };
  if (!previous || reset) return current;
  return {
    diets: current.diets.size ? current.diets : previous.diets,
    avoid: new Set([...current.avoid, ...previous.avoid]),
    maxPriceCents: current.maxPriceCents ?? previous.maxPriceCents,
    cheapest: current.cheapest || previous.cheapest,
    spicy: current.spicy ?? previous.spicy,
    courses: current.courses.size ? current.courses : previous.courses,
    language: current.language ?? previous.language,
    mentioned: new Set([...current.mentioned].filter((a) => !previous.avoid.has(a))),
  };
}

/** Constraints.to_json of the Python core (the shape tests compare and KV context stores). */
export function toJson(c: Constraints): Record<string, unknown> {
  const ordered = (s: Set<string>): string[] => EU14.filter((a) => s.has(a));
  return {
    diets: [...c.diets].sort(), avoid: ordered(c.avoid), maxPriceCents: c.maxPriceCents, cheapest: c.cheapest,
    spicy: c.spicy, courses: [...c.courses].sort(), language: c.language, mentioned: ordered(c.mentioned),
  };
}

/** Constraints.from_json of the Python core, for well-formed input. */
export function fromJson(data: Record<string, unknown>): Constraints {
  const set = (key: string): Set<string> => new Set((data[key] as string[] | undefined) ?? []);
  return {
    diets: set("diets"), avoid: set("avoid"), maxPriceCents: (data.maxPriceCents as number | undefined) ?? null,
    cheapest: data.cheapest === true, spicy: (data.spicy as boolean | undefined) ?? null, courses: set("courses"),
    language: (data.language as Language | undefined) ?? null, mentioned: set("mentioned"),
  };
}
