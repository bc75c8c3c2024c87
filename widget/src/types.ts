// The shapes the widget reads from the API (docs/api.md). Only what the widget uses is typed.

import type { Understood } from "./chat/constraints";

export type Hours = Partial<Record<"mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun", [string, string][]>>;

export interface MenuItem {
  id: string;
  name: string;
  description?: string | null;
  priceCents: number;
  allergens: string[];
  allergensDeclared: boolean;
  tags: string[];
  available?: boolean;
}

export interface Section {
  id?: string;
  key?: string | null;
  name: string;
  description?: string | null;
  active?: boolean;
  items: MenuItem[];
}

export interface Menu {
  version?: number;
  restaurant: {
    id?: string; slug?: string; name: string; currency: string; locale: string; timezone: string; hours: Hours;
    /** Contact fields (docs/api.md): always in the server's payload, null when unset. Plain text; lines split by "\n". */
    address?: string | null;
    /** E.164, e.g. "+46701740642". */
    phone?: string | null;
    /** An absolute http(s) URL. */
    website?: string | null;
  };
  sections: Section[];
}

export interface Config {
  restaurantId: string;
  name: string;
  locale: string;
  currency: string;
  timezone: string;
  theme?: { color?: string | null };
  greeting?: string | null;
  features: { serverChat: boolean; ordering: boolean };
  /** The kitchen paused ordering (docs/api.md); absent from servers before #15. */
  ordering?: { paused: boolean; resumesAt: string | null };
  /** The server's word on open or closed at its time, and the next closing or opening (an ISO instant). */
  open?: { now: boolean; nextChange: string | null };
}

/** GET /api/public/pickup-slots: `asap` is open now and not paused; `at` is what an order sends as pickupAt. */
export interface Slots {
  asap: boolean;
  slotMinutes: number;
  timezone: string;
  slots: { at: string; local: string; date: string; remaining: number | null }[];
}

export interface OrderLine { itemId: string; name: string; quantity: number; unitPriceCents: number; lineTotalCents: number; note?: string | null }

export interface Order {
  orderId?: string;
  orderCode?: string;
  status?: string;
  items: OrderLine[];
  totalCents: number;
  currency: string;
  pickupAt?: string | null;
  placedAt?: string;
  statusUrl?: string;
  history?: { status: string; at: string }[];
  /** When the kitchen promised it (set when it accepts with a ready time). */
  readyAt?: string | null;
  /** Why the kitchen cancelled it. */
  cancelReason?: string | null;
}

/** A dish the assistant suggests (the server's chat answer and the local responder's alike). */
export interface Suggestion {
  itemId: string;
  name: string;
  priceCents: number;
  reason: string;
  allergens: string[]; // EU-14 codes, in the regulation's order
  allergensDeclared: boolean;
}

/** The chat API's answer (without `source`), which the local responder gives too. */
export interface Answer {
  reply: string;
  suggestions: Suggestion[];
  chips: string[];
  understood: Understood; // Constraints.to_json of the Python core, with termLabels
  /** What the message asked (docs/api.md): suggest, recommend, dish, which, ingredients, info, undeclaredAllergen, askAllergen. */
  intent?: string;
  /** What the answer states, in codes (docs/api.md); the widget does not read it. */
  facts?: Record<string, unknown>;
}
