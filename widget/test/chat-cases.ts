// Test entry (not shipped): runs the widget's local responder over a list of messages and prints
// what the Python core computes for the same input, so tests/widget can compare the two and apply
// tests/chat/cases.json and tests/chat/safety_corpus.json to the port. Input on stdin: {menu,
// currency, locale, turns: [{message, previous?, forget?}]}; output: one result per turn (previous
// is the Python to_json shape; forget is applied after parsing, as localAnswer and the server do).

import { readFileSync } from "node:fs";
import { select } from "../src/chat/candidates";
import { forget as without, fromJson, parse, toJson } from "../src/chat/constraints";
import { respond } from "../src/chat/fallback";
import { localAnswer } from "../src/chat/local";
import type { Menu } from "../src/types";

interface Turn { message: string; previous?: Record<string, unknown>; forget?: string[] }
interface Input { menu: Menu; currency: string; locale: string; turns: Turn[] }

const input = JSON.parse(readFileSync(0, "utf8")) as Input;
const results = input.turns.map(({ message, previous, forget }) => {
  const c = without(parse(message, previous ? fromJson(previous) : null), forget ?? []);
  const selection = select(input.menu, c);
  const answer = respond(selection, c, input.currency, input.locale);
  // the entry point the widget calls gives the same answer
  const local = localAnswer({ ...input.menu, restaurant: { ...input.menu.restaurant, currency: input.currency } },
                            message, previous ? fromJson(previous) : null, input.locale, forget);
  if (JSON.stringify(local.answer) !== JSON.stringify(answer)) throw new Error(`localAnswer differs for ${message}`);
  return {
    constraints: toJson(c),
    candidates: selection.candidates.map((i) => i.id),
    undeclared: selection.undeclared,
    excluded: selection.excluded,
    answer,
  };
});
process.stdout.write(JSON.stringify(results));
