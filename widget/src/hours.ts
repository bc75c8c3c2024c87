// Open or closed, and the next opening, from the menu's weekly hours in the restaurant's timezone: what
// the widget shows only when the server does not say (a server before #18; the config's `open` is the
// truth, context.ts), since the diner's clock may be wrong. `wallClock` reads the server's instants.
// A range whose end is at or before its start runs past midnight ("17:00"-"02:00"); "24:00" ends
// the day; a missing day is closed. The week wraps (Sunday night into Monday morning).

import type { Hours } from "./types";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const DAY = 1440, WEEK = 7 * DAY;

export interface Opening {
  inDays: number; // 0 today, 1 tomorrow, … (in the restaurant's timezone)
  weekday: number; // 0 Monday … 6 Sunday
  time: string; // "HH:MM" as in the hours
}

export interface OpenState { open: boolean; next: Opening | null }

const minutes = (hhmm: string): number => {
  const [h, m] = hhmm.split(":").map(Number);
  return h! * 60 + m!;
};

/** The weekday (0 = Monday) and minute of the day at `now` in `timeZone`; throws RangeError for an unknown zone. */
export function localTime(now: Date, timeZone: string): { day: number; minute: number } {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "numeric", minute: "numeric", hourCycle: "h23" })
    .formatToParts(now);
  const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? "";
  return {
    day: DAYS.indexOf(get("weekday").toLowerCase().slice(0, 3) as (typeof DAYS)[number]),
    minute: (Number(get("hour")) % 24) * 60 + Number(get("minute")),
  };
}

/** null when the timezone or the hours are unusable (the server still enforces them). */
export function openState(hours: Hours, timeZone: string, now = new Date()): OpenState | null {
  let local;
  try {
    local = localTime(now, timeZone);
  } catch {
    return null;
  }
  if (local.day < 0) return null;
  const at = local.day * DAY + local.minute;
  const ranges: [number, number, string][] = [];
  DAYS.forEach((name, d) => {
    for (const [from, to] of hours[name] ?? []) {
      const start = minutes(from), end = minutes(to);
      if (Number.isNaN(start) || Number.isNaN(end)) continue;
      ranges.push([d * DAY + start, d * DAY + (end > start ? end : end + DAY), from]);
    }
  });
  const open = ranges.some(([s, e]) => (at >= s && at < e) || (at + WEEK >= s && at + WEEK < e));
  let next: Opening | null = null, best = Infinity;
  for (const [s, , from] of ranges) {
    const wait = (s - at + WEEK) % WEEK || WEEK;
    if (wait < best) {
      best = wait;
      const inDays = Math.floor((local.minute + wait) / DAY);
      next = { inDays, weekday: (local.day + inDays) % 7, time: from };
    }
  }
  return { open, next: open ? null : next };
}

/** The weekday (0 = Monday) and "HH:MM" of an ISO instant in `timeZone` (the server's next opening, say);
 * null when either is unreadable. */
export function wallClock(iso: string, timeZone: string): { weekday: number; time: string } | null {
  const at = new Date(iso);
  if (Number.isNaN(+at)) return null;
  try {
    const { day, minute } = localTime(at, timeZone);
    if (day < 0) return null;
    return { weekday: day, time: `${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}` };
  } catch {
    return null;
  }
}
