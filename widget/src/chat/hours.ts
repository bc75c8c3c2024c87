// Port of shared/chat/hours.py: open or closed at an instant, and when that changes, from a menu's
// weekly hours in the restaurant's time zone. Ranges that touch or overlap are one opening
// ("23:00"-"24:00" then "00:00"-"02:00" closes at 02:00); a restaurant open round the clock never
// changes. It reads the instant it is given, never a clock of its own. (The UI's widget/src/hours.ts
// answers "can I order now?"; this one says when the state changes, as the server's chat does.)

import { localTime } from "../hours";

const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
const DAY = 1440;
const WEEK = 7 * DAY;

export interface Change {
  inDays: number; // 0 today, 1 tomorrow... (the restaurant's calendar)
  weekday: number; // 0 Monday ... 6 Sunday
  time: string; // "HH:MM"
}

export interface OpenState {
  open: boolean;
  change: Change | null; // the next closing when open, the next opening when closed; null: never
  weekday: number; // today, in the restaurant's time zone
}

type Hours = Record<string, unknown>;
type Span = [number, number];

/** Python's % (the sign of the divisor). */
const mod = (a: number, b: number): number => ((a % b) + b) % b;

/** Python's int() of an ASCII numeral; throws where it raises ValueError. */
function integer(text: string): number {
  if (!/^\s*[+-]?\d+(?:_\d+)*\s*$/.test(text)) throw new RangeError(`bad number ${text}`);
  return parseInt(text.replace(/_/g, ""), 10);
}

function minutes(hhmm: unknown): number {
  if (typeof hhmm !== "string") throw new TypeError("not a time");
  const parts = hhmm.split(":");
  if (parts.length !== 2) throw new RangeError(`bad time ${hhmm}`);
  return integer(parts[0]!) * 60 + integer(parts[1]!);
}

function clock(minute: number): string {
  const m = mod(minute, DAY);
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

function pairs(hours: Hours, day: string): unknown[][] {
  const ranges = hours[day];
  if (!ranges) return [];
  if (!Array.isArray(ranges)) throw new TypeError("not a list");
  return ranges.map((r: unknown) => {
    if (!Array.isArray(r) || r.length !== 2) throw new TypeError("not a pair");
    return r as unknown[];
  });
}

/** The week's openings as merged [start, end) minutes from Monday 00:00; an opening that runs past
 * Sunday midnight ends after WEEK. */
function spans(hours: Hours): Span[] {
  const all: Span[] = [];
  WEEKDAYS.forEach((day, d) => {
    for (const [from, to] of pairs(hours, day)) {
      const start = minutes(from), end = minutes(to);
      all.push([d * DAY + start, d * DAY + (end > start ? end : end + DAY)]);
    }
  });
  all.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged: Span[] = [];
  for (const [start, end] of all) {
    const last = merged[merged.length - 1];
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  if (merged.length > 1 && merged[merged.length - 1]![1] >= WEEK + merged[0]![0]) { // Sunday night runs into Monday's first
    const last = merged.pop()!;
    merged[0] = [last[0] - WEEK, Math.max(merged[0]![1], last[1] - WEEK)];
  }
  return merged;
}

const change = (day: number, minute: number, wait: number, at: number): Change => {
  const inDays = Math.floor((minute + wait) / DAY);
  return { inDays, weekday: (day + inDays) % 7, time: clock(at) };
};

/** The state at now; null when the time zone or the hours are unusable. */
export function openState(hours: unknown, timeZone: string, now: Date): OpenState | null {
  let day: number, minute: number, merged: Span[];
  try {
    ({ day, minute } = localTime(now, timeZone));
    if (day < 0 || Number.isNaN(minute)) return null;
    if (typeof hours !== "object" || hours === null || Array.isArray(hours)) return null;
    merged = spans(hours as Hours);
  } catch {
    return null;
  }
  const at = day * DAY + minute;
  if (merged.length === 1 && merged[0]![1] - merged[0]![0] >= WEEK) return { open: true, change: null, weekday: day };
  for (const [start, end] of merged) {
    for (const shift of [-WEEK, 0, WEEK]) {
      if (start + shift <= at && at < end + shift) {
        return { open: true, change: change(day, minute, end + shift - at, end), weekday: day };
      }
    }
  }
  let best: [number, number] | null = null;
  for (const [start] of merged) {
    const wait = mod(start - at, WEEK) || WEEK;
    if (best === null || wait < best[0] || (wait === best[0] && start < best[1])) best = [wait, start];
  }
  if (best === null) return { open: false, change: null, weekday: day };
  return { open: false, change: change(day, minute, best[0], best[1]), weekday: day };
}

/** One weekday's ranges as written in the menu. */
export function dayRanges(hours: Hours, weekday: number): [string, string][] {
  const ranges = hours[WEEKDAYS[weekday]!];
  return Array.isArray(ranges) ? ranges.map((r) => [String((r as unknown[])[0]), String((r as unknown[])[1])]) : [];
}

/** The open days as runs of consecutive weekdays with the same ranges: [first, last, ranges]. */
export function weekGroups(hours: Hours): [number, number, [string, string][]][] {
  const groups: [number, number, [string, string][]][] = [];
  for (let d = 0; d < 7; d++) {
    const ranges = dayRanges(hours, d);
    if (!ranges.length) continue;
    const last = groups[groups.length - 1];
    if (last && last[1] === d - 1 && JSON.stringify(last[2]) === JSON.stringify(ranges)) last[1] = d;
    else groups.push([d, d, ranges]);
  }
  return groups;
}
