// Every network call of the console: same origin, the session cookie (HttpOnly, set by the server), the
// CSRF token on every write. A failure to reach the server is a NetworkError (the caller decides whether
// a write may be replayed); any HTTP answer, error or not, is a Reply.
import type { Session } from "./types";

const BASE = "/console/api";
let csrf = "";

export class NetworkError extends Error {}

export interface Reply<T = any> {
  status: number;
  body: T;
  etag: string | null;
}

export function setCsrf(token: string): void {
  csrf = token;
}

export async function call<T = any>(method: string, path: string, body?: unknown,
                                    ifNoneMatch?: string | null): Promise<Reply<T>> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && csrf) headers["X-Stjarna-CSRF"] = csrf;
  if (ifNoneMatch) headers["If-None-Match"] = ifNoneMatch;
  let response: Response;
  try {
    response = await fetch(BASE + path, {
      method, headers, credentials: "same-origin", cache: "no-store", redirect: "error",
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    throw new NetworkError("offline");
  }
  let parsed: any = null;
  if (response.status !== 204 && response.status !== 304) {
    try {
      parsed = await response.json();
    } catch {
      parsed = null;
    }
  }
  return { status: response.status, body: parsed, etag: response.headers.get("ETag") };
}

export function errorText(reply: Reply, fallback: string): string {
  const message = reply.body?.error?.message;
  return typeof message === "string" && message ? message : `${fallback} (HTTP ${reply.status})`;
}

export const signIn = (key: string, restaurant?: string) =>
  call<Session>("POST", "/session", restaurant ? { key, restaurant } : { key });
export const currentSession = () => call<Session>("GET", "/session");
export const signOut = () => call("DELETE", "/session");

const r = (id: string) => `/restaurants/${encodeURIComponent(id)}`;
export const board = (id: string, etag: string | null) => call("GET", `${r(id)}/board`, undefined, etag);
export const changeOrder = (id: string, orderId: string, change: Record<string, unknown>) =>
  call("PATCH", `${r(id)}/orders/${encodeURIComponent(orderId)}`, change);
export const pause = (id: string, minutes: number | null) => call("PUT", `${r(id)}/pause`, { minutes });
export const resume = (id: string) => call("DELETE", `${r(id)}/pause`);
export const items = (id: string, q: string) => call("GET", `${r(id)}/items?q=${encodeURIComponent(q)}`);
export const setAvailable = (id: string, itemId: string, available: boolean, until: string | null) =>
  call("PATCH", `${r(id)}/items/${encodeURIComponent(itemId)}`, { available, until });
export const setup = (id: string) => call("GET", `${r(id)}/setup`);
export const setHours = (id: string, hours: Record<string, [string, string][]>) =>
  call("PUT", `${r(id)}/hours`, { hours });
export const keys = (id: string) => call("GET", `${r(id)}/keys`);
export const createKey = (id: string, name: string) => call("POST", `${r(id)}/keys`, { name, role: "kitchen" });
export const revokeKey = (id: string, keyId: string) => call("DELETE", `${r(id)}/keys/${encodeURIComponent(keyId)}`);
