// What the widget keeps in the diner's browser: a session token and the cart (with the checkout
// state that belongs to it: the idempotency key of an unfinished attempt and the last order's
// code), under one localStorage key per restaurant, for a day. Nothing is written until the diner
// interacts with the widget (`activate`); before that the state lives in memory only. Reading is
// harmless and restores a returning diner's cart. Storage that throws (blocked, private modes)
// leaves everything in memory.

export interface Line { itemId: string; quantity: number; note: string }

export interface State {
  token: string;
  cart: Line[];
  order: string | null; // the last order's code, for its status
  attempt: { key: string; body: string } | null; // the checkout attempt in flight or failed
}

const TTL_MS = 24 * 3600 * 1000;
export const MAX_QUANTITY = 20;
export const MAX_NOTE = 200;

/** 32 URL-safe random characters (the API's session and idempotency-key pattern). */
export function randomId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_");
}

function storage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

function valid(data: unknown): data is State & { at: number } {
  const d = data as Record<string, unknown> | null;
  return !!d && typeof d.token === "string" && /^[\w-]{8,128}$/.test(d.token) && Array.isArray(d.cart)
    && typeof d.at === "number" && Date.now() - d.at < TTL_MS;
}

export function store(restaurantId: string) {
  const key = "stjarna:" + restaurantId;
  let active = false;
  let state: State = { token: randomId(), cart: [], order: null, attempt: null };
  try {
    const saved: unknown = JSON.parse(storage()?.getItem(key) ?? "null");
    if (valid(saved)) {
      state = {
        token: saved.token,
        cart: saved.cart.filter((l) => typeof l?.itemId === "string" && Number.isInteger(l.quantity))
          .map((l) => ({ itemId: l.itemId, quantity: Math.min(MAX_QUANTITY, Math.max(1, l.quantity)),
                         note: String(l.note ?? "").slice(0, MAX_NOTE) })),
        order: typeof saved.order === "string" ? saved.order : null,
        attempt: saved.attempt && typeof saved.attempt.key === "string" ? saved.attempt : null,
      };
    }
  } catch {
    // unreadable: start afresh
  }

  const save = (): void => {
    if (!active) return;
    try {
      storage()?.setItem(key, JSON.stringify({ ...state, at: Date.now() }));
    } catch {
      // full or blocked: the state stays in memory
    }
  };

  return {
    get: (): State => state,
    /** The diner interacted: from now on the state is kept across pages. */
    activate(): void {
      if (!active) {
        active = true;
        save();
      }
    },
    update(change: Partial<State>): void {
      state = { ...state, ...change };
      save();
    },
  };
}

export type Store = ReturnType<typeof store>;
