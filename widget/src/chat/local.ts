// The local responder: the fallback responder of the server, run in the browser over the loaded
// menu when server chat is off or unreachable. Follow-ups refine the previous turn's constraints,
// kept in memory (never stored).

import type { Menu } from "../types";
import { select } from "./candidates";
import { type Constraints, parse } from "./constraints";
import { type Answer, respond } from "./fallback";

export interface LocalTurn { answer: Answer; constraints: Constraints }

export function localAnswer(menu: Menu, message: string, previous: Constraints | null, locale: string): LocalTurn {
  const constraints = parse(message, previous);
  return { answer: respond(select(menu, constraints), constraints, menu.restaurant.currency, locale), constraints };
}
