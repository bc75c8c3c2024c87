// Test entry (not shipped): runs widget functions on the inputs tests/widget sends on stdin and
// prints their results. Input: {"hours": [{hours, timeZone, now}], "options": [{attrs, src, locale}],
// "verdicts": [{item, diets, avoid}], "languages": [[htmlLang, browserLanguage]], "bases": [src],
// "backoffs": [[retry number, Retry-After or null, random]]}.

import { readFileSync } from "node:fs";
import { backoff } from "../src/api";
import { openState } from "../src/hours";
import { language } from "../src/i18n";
import { chunkBase, pageLocale, readOptions } from "../src/loader";
import { verdict } from "../src/menu-view";
import type { Hours, MenuItem } from "../src/types";

interface Input {
  hours?: { hours: Hours; timeZone: string; now: string }[];
  options?: { attrs: Record<string, string>; src: string; locale: string }[];
  verdicts?: { item: MenuItem; diets: string[]; avoid: string[] }[];
  languages?: [string, string][];
  bases?: string[];
  backoffs?: [number, number | null, number][];
}

const input = JSON.parse(readFileSync(0, "utf8")) as Input;
const script = (attrs: Record<string, string>, src: string) =>
  ({ src, getAttribute: (name: string) => attrs[name] ?? null }) as unknown as HTMLScriptElement;
process.stdout.write(JSON.stringify({
  hours: (input.hours ?? []).map((c) => openState(c.hours, c.timeZone, new Date(c.now))),
  options: (input.options ?? []).map((c) => readOptions(script(c.attrs, c.src), c.locale)),
  verdicts: (input.verdicts ?? []).map((c) => verdict(c.item, new Set(c.diets), new Set(c.avoid))),
  ...input.languages && { languages: input.languages.map(([html, browser]) => language(pageLocale(html, browser))) },
  ...input.bases && { bases: input.bases.map(chunkBase) },
  ...input.backoffs && { backoffs: input.backoffs.map(([n, after, random]) => backoff(n, after, random)) },
}));
