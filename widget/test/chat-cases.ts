// Test entry (not shipped): runs the widget's local responder over a list of messages and prints
// what the Python core computes for the same input, so tests/widget can compare the two and apply
// tests/chat/cases.json to the port. Input on stdin: {menu, currency, locale, turns: [{message,
// previous?}]}; output: one result per turn.

import { readFileSync } from "node:fs";
import { select } from "../src/chat/candidates";
import { fromJson, parse, toJson } from "../src/chat/constraints";
import { respond } from "../src/chat/fallback";
import type { Menu } from "../src/types";

interface Input { menu: Menu; currency: string; locale: string; turns: { message: string; previous?: Record<string, unknown> }[] }

const input = JSON.parse(readFileSync(0, "utf8")) as Input;
const results = input.turns.map(({ message, previous }) => {
  const c = parse(message, previous ? fromJson(previous) : null);
  const selection = select(input.menu, c);
  return {
    constraints: toJson(c),
    candidates: selection.candidates.map((i) => i.id),
    undeclared: selection.undeclared,
    excluded: selection.excluded,
    answer: respond(selection, c, input.currency, input.locale),
  };
});
process.stdout.write(JSON.stringify(results));
