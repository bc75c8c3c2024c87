// The local responder: the server's deterministic chat turn (shared/chat/turn.py), run in the
// browser over the loaded menu when server chat is off or unreachable. Follow-ups refine the
// previous turn's constraints, kept in memory (never stored); forget takes part of the reading back
// after the message is read, as the server's chat request does.

import type { Answer, Menu } from "../types";
import type { Constraints } from "./constraints";
import { type Menu as Prepared, prepare, turn } from "./turn";

export type { Constraints, Understood } from "./constraints";

export interface LocalTurn { answer: Answer; constraints: Constraints }

const prepared = new WeakMap<Menu, Prepared>();

export function localAnswer(menu: Menu, message: string, previous: Constraints | null, locale: string,
                            forget: string[] = [], now: Date = new Date()): LocalTurn {
  let m = prepared.get(menu);
  if (m === undefined) prepared.set(menu, (m = prepare(menu)));
  const done = turn(m, message, previous, locale, now, forget);
  return { answer: done.body, constraints: done.constraints };
}
