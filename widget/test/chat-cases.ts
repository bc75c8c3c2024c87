// Test entry (not shipped): runs the widget's local responder (turn, the port of shared/chat/turn.py)
// over a list of messages and prints what the Python core computes for the same input, so tests/widget
// can compare the two and apply tests/chat/cases.json and tests/chat/safety_corpus.json to the port.
// Input on stdin: {menu, locale, now, turns: [{message, previous?, forget?, now?}]} (previous is the
// Python to_json shape; now an ISO instant, the turn's or the input's); output: one result per turn.

import { readFileSync } from "node:fs";
import { fromJson, toJson } from "../src/chat/constraints";
import { localAnswer } from "../src/chat/local";
import { prepare, turn } from "../src/chat/turn";
import type { Menu } from "../src/types";

interface Turn { message: string; previous?: Record<string, unknown>; forget?: string[]; now?: string }
interface Input { menu: Menu; locale: string; now: string; turns: Turn[] }

const input = JSON.parse(readFileSync(0, "utf8")) as Input;
const menu = prepare(input.menu);
const results = input.turns.map(({ message, previous, forget, now }) => {
  const at = new Date(now ?? input.now);
  const done = turn(menu, message, previous ? fromJson(previous) : null, input.locale, at, forget ?? []);
  // the entry point the widget calls gives the same answer
  const local = localAnswer(input.menu, message, previous ? fromJson(previous) : null, input.locale, forget, at);
  if (JSON.stringify(local.answer) !== JSON.stringify(done.body)) throw new Error(`localAnswer differs for ${message}`);
  return {
    constraints: toJson(done.constraints),
    candidates: done.selection.candidates.map((i) => i.id),
    undeclared: done.selection.undeclared,
    excluded: done.selection.excluded,
    answer: done.body,
  };
});
process.stdout.write(JSON.stringify(results));
