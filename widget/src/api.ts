// Every network call the widget makes. Requests name the restaurant in the query string (so the API
// can answer CORS preflights per tenant), send no cookies and time out. Failures become ApiError
// (the API answered with an error status: its body's code, or HTTP_<status>) or NetworkError (no
// readable answer: the network, a timeout, or a refusal the browser hides for want of CORS headers).

import type { Answer, Config, Menu, Order, Slots } from "./types";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly data: Record<string, unknown>,
    readonly retryAfter: number | null,
  ) {
    super(message);
  }
}

export class NetworkError extends Error {}

export interface OrderBody {
  restaurantId: string;
  sessionToken: string;
  items: { itemId: string; quantity: number; note?: string }[];
  pickupAt?: string; // a slot's `at`; absent: as soon as possible
  pickupName?: string; // orders only (never quotes)
  pickupPhone?: string;
}

export type ChatAnswer = Answer & { source: "ai" | "fallback" };

const TIMEOUT_MS = 10000, CHAT_TIMEOUT_MS = 20000;

/** Seconds from Retry-After (seconds or an HTTP date); null when absent or unreadable. */
function retryAfter(value: string | null): number | null {
  if (value === null) return null;
  const seconds = /^\d+$/.test(value.trim()) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.max(1, Math.ceil(seconds)) : null;
}

/** The seconds before retry number `n` (0, 1, …): 1, 2, 4, 8, 16, then 30, each ±25 %, at least Retry-After. */
export const backoff = (n: number, retryAfter: number | null, random = Math.random()): number =>
  Math.max(Math.min(2 ** n, 30) * (0.75 + random / 2), retryAfter ?? 0);

/** The error a refused answer stands for: ApiError with the body's code (HTTP_<status> when it has none). */
export async function failure(response: Response): Promise<ApiError> {
  const data = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  const error = (data.error ?? {}) as Record<string, unknown>;
  return new ApiError(response.status, String(error.code ?? "HTTP_" + response.status),
                      String(error.message ?? response.statusText), error, retryAfter(response.headers.get("Retry-After")));
}

export function client(endpoint: string, restaurantId: string) {
  const query = "?restaurantId=" + encodeURIComponent(restaurantId);

  async function call<T>(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
                         timeout = TIMEOUT_MS): Promise<T> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeout);
    let response: Response;
    try {
      response = await fetch(endpoint + path + query, {
        method: init.method ?? "GET",
        credentials: "omit",
        signal: abort.signal,
        headers: init.body === undefined ? init.headers : { "Content-Type": "application/json", ...init.headers },
        body: init.body === undefined ? null : JSON.stringify(init.body),
      });
    } catch (e) {
      throw new NetworkError(abort.signal.aborted ? "timed out" : String(e));
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok) throw await failure(response);
    try {
      return (await response.json()) as T;
    } catch {
      throw new NetworkError(`unreadable answer (HTTP ${response.status})`);
    }
  }

  return {
    configUrl: endpoint + "/api/public/config" + query,
    config: () => call<Config>("/api/public/config"),
    menu: () => call<Menu>("/api/public/menu"),
    /** The next pickup slots (no-store: the server's word on open and paused now, too). */
    slots: () => call<Slots>("/api/public/pickup-slots"),
    /** `forget`: parts of the reading the diner takes back (`allergen:<code>`, `diet:<code>`, `maxPrice`…). */
    chat: (sessionToken: string, message: string, forget: string[] = []) =>
      call<ChatAnswer>("/api/chat", { method: "POST", body: { restaurantId, sessionToken, message, forget } },
                       CHAT_TIMEOUT_MS),
    quote: (body: OrderBody) => call<Order>("/api/orders/quote", { method: "POST", body }),
    place: (body: OrderBody, idempotencyKey: string) =>
      call<Order>("/api/orders", { method: "POST", body, headers: { "Idempotency-Key": idempotencyKey } }),
    order: (code: string, sessionToken: string) =>
      call<Order>("/api/orders/" + encodeURIComponent(code), { headers: { "X-Session-Token": sessionToken } }),
    /** Whether the API answers at all: its bundle is served to any origin (CORS *). */
    reachable: () => fetch(endpoint + "/widget.js", { method: "HEAD", credentials: "omit", cache: "no-store" })
      .then((r) => r.ok, () => false),
  };
}

export type Client = ReturnType<typeof client>;
