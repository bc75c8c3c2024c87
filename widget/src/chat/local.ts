// The local responder: the fallback responder of the server, run in the browser over the loaded
// menu when server chat is off or unreachable. Follow-ups refine the previous turn's constraints,
// kept in memory (never stored); forget takes part of the reading back after the message is read,
// as the server's chat request does.

import type { Answer, Menu } from "../types";
import { select } from "./candidates";
import { type Constraints, forget as without, parse } from "./constraints";
import { respond } from "./fallback";

export type { Constraints, Understood } from "./constraints";

export interface LocalTurn { answer: Answer; constraints: Constraints }

export function localAnswer(menu: Menu, message: string, previous: Constraints | null, locale: string,
                            forget: string[] = []): LocalTurn {
  const constraints = without(parse(message, previous), forget);
  return { answer: respond(select(menu, constraints), constraints, menu.restaurant.currency, locale), constraints };
}
