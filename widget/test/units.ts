// Test entry (not shipped): runs widget functions on the inputs tests/widget sends on stdin and
// prints their results. Input: {"hours": [{hours, timeZone, now}], "options": [{attrs, src, locale}],
// "verdicts": [{item, diets, avoid}]}.

import { readFileSync } from "node:fs";
import { openState } from "../src/hours";
import { readOptions } from "../src/loader";
import { verdict } from "../src/menu-view";
import type { Hours, MenuItem } from "../src/types";

interface Input {
  hours?: { hours: Hours; timeZone: string; now: string }[];
  options?: { attrs: Record<string, string>; src: string; locale: string }[];
  verdicts?: { item: MenuItem; diets: string[]; avoid: string[] }[];
}

const input = JSON.parse(readFileSync(0, "utf8")) as Input;
const script = (attrs: Record<string, string>, src: string) =>
  ({ src, getAttribute: (name: string) => attrs[name] ?? null }) as unknown as HTMLScriptElement;
process.stdout.write(JSON.stringify({
  hours: (input.hours ?? []).map((c) => openState(c.hours, c.timeZone, new Date(c.now))),
  options: (input.options ?? []).map((c) => readOptions(script(c.attrs, c.src), c.locale)),
  verdicts: (input.verdicts ?? []).map((c) => verdict(c.item, new Set(c.diets), new Set(c.avoid))),
}));
