// The staff console (docs/console.md): sign-in with a key, then the order board of the session's
// restaurant, polled every 3 s with If-None-Match; the sold-out list; the owner's restaurant panel.
import * as api from "./api";
import { renderColumns, renderRecent, type CardActions } from "./board-view";
import { acceptDialog, cancelDialog } from "./dialogs";
import { clear, h } from "./dom";
import { age, clock, duration, money } from "./format";
import { setupPanel, soldOutPanel, type PanelHost } from "./panels";
import * as sound from "./sound";
import type { Board, Order, Session, Status } from "./types";

declare const CONSOLE_CSS: string; // src/console.css, minified by build.mjs

const TITLE = "Stjarna console";
const POLL_MS = 3000;
const REMIND_MS = 20000;
const STATUS_WORDS: Record<Status, string> = {
  placed: "new", accepted: "accepted", preparing: "preparing", ready: "ready", picked_up: "picked up",
  cancelled: "cancelled", expired: "expired"};
type View = "board" | "soldout" | "setup";
interface Write { order: Order; change: Record<string, unknown>; done: string }

const sheet = new CSSStyleSheet();
sheet.replaceSync(CONSOLE_CSS);
document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];

const root = document.getElementById("app")!;
let session: Session | null = null;
let board: Board | null = null;
let etag: string | null = null;
let view: View = "board";
let known: Set<string> | null = null; // order ids seen on this board (null until the first load)
const fresh = new Set<string>(); // new orders not acknowledged yet
const pending = new Set<string>(); // orders with a write in flight or waiting for the connection
let queue: Write[] = [];
let online = true;
let pollTimer = 0;
let polling = false;
let remindTimer = 0;

const banner = h("div", { class: "offline", role: "alert", hidden: true });
const message = h("div", { class: "message", role: "status", "aria-live": "polite" });
const main = h("main", { id: "main", tabindex: -1 });
const soundButton = h("button", { type: "button", class: "sound", onclick: () => void soundClicked() });

function say(text: string, tone: "error" | "info" = "info"): void {
  message.className = `message ${tone}`;
  message.textContent = text;
}

// -- sign-in and the session ------------------------------------------------------------------------
function showSignIn(note = ""): void {
  session = null;
  board = null;
  etag = null;
  known = null;
  fresh.clear();
  pending.clear();
  queue = [];
  clearTimeout(pollTimer);
  clearInterval(remindTimer);
  api.setCsrf("");
  document.title = TITLE;
  const key = h("input", { type: "password", id: "key", name: "key", autocomplete: "off", "aria-required": "true",
                           spellcheck: "false", "aria-describedby": "key-help" });
  const restaurant = h("input", { id: "restaurant", name: "restaurant", autocomplete: "off", spellcheck: "false",
                                  pattern: "[a-z0-9-]{1,63}" });
  const error = h("p", { class: "field-error", id: "signin-error", role: "alert" }, note);
  const button = h("button", { type: "submit", class: "primary big" }, "Sign in");
  const form = h("form", { class: "signin", onsubmit: async (e: Event) => {
    e.preventDefault();
    const presented = key.value.trim();
    key.value = ""; // the key is never kept: not in the page, not in storage
    if (!presented) {
      error.textContent = "Enter your staff key.";
      key.focus();
      return;
    }
    button.disabled = true;
    let reply: api.Reply<Session>;
    try {
      reply = await api.signIn(presented, restaurant.value.trim() || undefined);
    } catch {
      button.disabled = false;
      error.textContent = "No connection to the server. Check the network and try again.";
      return;
    }
    button.disabled = false;
    if (reply.status === 200) {
      start(reply.body);
      return;
    }
    error.textContent = reply.status === 401 ? "That key was not accepted."
      : reply.status === 429 ? "Too many attempts. Wait a few minutes and try again."
      : api.errorText(reply, "Could not sign in");
    key.focus();
  } },
    h("h1", {}, TITLE),
    h("p", {}, "Sign in with the staff key your restaurant gave you."),
    h("div", { class: "field" }, h("label", { for: "key" }, "Staff key"), key,
      h("p", { class: "help", id: "key-help" }, "Kept only for signing in: this tablet remembers a session, not the key.")),
    h("div", { class: "field" }, h("label", { for: "restaurant" }, "Restaurant (platform keys only)"), restaurant),
    error, button);
  clear(root, h("main", { id: "main", class: "signin-page" }, form));
  key.focus();
}

function start(s: Session): void {
  session = s;
  api.setCsrf(s.csrfToken);
  view = "board";
  say("");
  layout();
  void poll();
}

/** False when the reply ended the session (401): the sign-in is shown. */
function handle(reply: api.Reply): boolean {
  if (reply.status === 401 && session) {
    showSignIn("Signed out after inactivity. Sign in again.");
    return false;
  }
  return true;
}

async function signOut(): Promise<void> {
  try {
    await api.signOut();
  } catch {
    // the cookie stays until it expires; the server's idle timeout ends it
  }
  showSignIn("Signed out.");
}

// -- the frame: header, navigation, banners --------------------------------------------------------------
function layout(): void {
  if (!session) return;
  const owner = session.role !== "kitchen";
  const tab = (id: View, label: string) => h("button", {
    type: "button", class: "tab", "aria-current": view === id ? "page" : null,
    onclick: () => { view = id; say(""); layout(); main.focus(); } }, label);
  clear(root,
    h("header", { class: "top" },
      h("h1", {}, session.restaurant?.name ?? TITLE),
      h("nav", { "aria-label": "Console" }, tab("board", "Board"), tab("soldout", "Sold out"),
        owner ? tab("setup", "Restaurant") : null),
      h("div", { class: "tools" }, soundButton,
        h("span", { class: "who" }, `${session.keyName} (${session.role})`),
        h("button", { type: "button", onclick: () => void signOut() }, "Sign out"))),
    banner, message, main);
  updateSound();
  renderView();
}

function panelHost(): PanelHost {
  return { restaurantId: session!.restaurant!.id, say, handle, offline: () => setOnline(false) };
}

function renderView(): void {
  if (!session) return;
  if (view === "soldout") clear(main, soldOutPanel(panelHost()));
  else if (view === "setup") clear(main, setupPanel(panelHost()));
  else renderBoard();
}

// -- the board ----------------------------------------------------------------------------------------
const actions: CardActions = {
  acknowledge(order) {
    fresh.delete(order.orderId);
    updateTitle();
    renderBoard(`[data-order="${order.orderCode}"] button`);
  },
  accept(order) {
    acceptDialog(order, (minutes) => {
      fresh.delete(order.orderId);
      updateTitle();
      void write({ order, change: { status: "accepted", expectedStatus: "placed", readyInMinutes: minutes },
                   done: `accepted, ready in ${minutes} min` });
    });
  },
  advance(order, to) {
    void write({ order, change: { status: to, expectedStatus: order.status }, done: STATUS_WORDS[to] });
  },
  cancel(order) {
    cancelDialog(order, (reason) => {
      fresh.delete(order.orderId);
      updateTitle();
      void write({ order, change: { status: "cancelled", expectedStatus: order.status, cancelReason: reason },
                   done: "cancelled" });
    });
  },
};

function renderBoard(focusSelector?: string): void {
  if (!session || view !== "board") return;
  const focused = document.activeElement;
  const focusKey = focused instanceof HTMLElement && main.contains(focused)
    ? focusPath(focused) : null;
  if (!board) {
    clear(main, h("p", { class: "loading" }, "Loading the board…"));
    return;
  }
  const b = board;
  const owner = session.role !== "kitchen";
  clear(main,
    h("section", { class: "today", "aria-label": "Today" },
      h("p", {}, h("span", { class: "figure" }, String(b.today.orders)), " orders today"),
      h("p", {}, h("span", { class: "figure" }, money(b.today.revenueCents, b.today.currency)), " revenue"),
      h("p", {}, h("span", { class: "figure" }, duration(b.today.avgAcceptToReadySeconds)), " accept to ready")),
    pauseBar(b, owner),
    renderColumns(b, fresh, pending, actions),
    renderRecent(b));
  const target = (focusSelector && main.querySelector<HTMLElement>(focusSelector))
    || (focusKey && main.querySelector<HTMLElement>(focusKey)) || (focusKey ? main : null);
  if (target) target.focus();
}

/** A selector that finds the same control after a re-render (or its card, when the control is gone). */
function focusPath(el: HTMLElement): string | null {
  if (el.dataset.key) return `[data-key="${CSS.escape(el.dataset.key)}"]:not([disabled]), [data-order="${
    el.closest<HTMLElement>("[data-order]")?.dataset.order ?? ""}"]`;
  return el.dataset.order ? `[data-order="${el.dataset.order}"]` : null;
}

function pauseBar(b: Board, owner: boolean): HTMLElement | null {
  const tz = b.restaurant.timezone;
  const state = b.paused
    ? h("p", { class: "paused" }, b.paused.until ? `Ordering paused until ${clock(b.paused.until, tz)}`
                                                 : "Ordering paused until resumed")
    : h("p", {}, "Taking orders");
  if (!owner) return b.paused ? h("section", { class: "pause", "aria-label": "Ordering" }, state) : null;
  const buttons = b.paused
    ? [h("button", { type: "button", class: "primary", "data-key": "resume", onclick: () => void setPause(null, true) },
         "Resume ordering")]
    : [...[15, 30, 60].map((m) => h("button", { type: "button", "data-key": `pause:${m}`,
                                                 onclick: () => void setPause(m) }, `Pause ${m} min`)),
       h("button", { type: "button", "data-key": "pause:until", onclick: () => void setPause(null) },
         "Pause until resumed")];
  return h("section", { class: "pause", "aria-label": "Ordering" }, state, h("div", { class: "actions" }, ...buttons));
}

async function setPause(minutes: number | null, resume = false): Promise<void> {
  if (!session?.restaurant) return;
  let reply: api.Reply;
  try {
    reply = resume ? await api.resume(session.restaurant.id) : await api.pause(session.restaurant.id, minutes);
  } catch {
    setOnline(false);
    say("Not sent: no connection. Ordering is unchanged; try again when the connection is back.", "error");
    return;
  }
  if (!handle(reply)) return;
  if (reply.status >= 300) say(api.errorText(reply, "Could not change the pause"), "error");
  else say(resume ? "Ordering resumed." : minutes ? `Ordering paused for ${minutes} min.` : "Ordering paused until resumed.");
  etag = null;
  await poll();
}

// -- polling, new orders, sound ----------------------------------------------------------------------
async function poll(): Promise<void> {
  clearTimeout(pollTimer);
  if (!session?.restaurant || polling) return;
  polling = true;
  try {
    const reply = await api.board(session.restaurant.id, etag);
    setOnline(true);
    if (!handle(reply)) return;
    if (reply.status === 200) {
      etag = reply.etag;
      apply(reply.body as Board);
    } else if (reply.status === 304) {
      refreshAges();
    } else {
      say(api.errorText(reply, "Could not load the board"), "error");
    }
  } catch (e) {
    if (e instanceof api.NetworkError) setOnline(false);
    else throw e;
  } finally {
    polling = false;
    if (session) pollTimer = window.setTimeout(() => void poll(), POLL_MS);
  }
}

function apply(next: Board): void {
  const placed = new Set(next.orders.filter((o) => o.status === "placed").map((o) => o.orderId));
  let arrived = 0;
  if (known) {
    for (const id of placed) {
      if (!known.has(id)) {
        fresh.add(id);
        arrived++;
      }
    }
  }
  known = new Set([...next.orders, ...next.recent].map((o) => o.orderId));
  for (const id of fresh) if (!placed.has(id)) fresh.delete(id); // accepted or cancelled elsewhere
  board = next;
  updateTitle();
  renderBoard();
  if (arrived) {
    say(arrived === 1 ? "New order." : `${arrived} new orders.`);
    ring();
  }
}

function refreshAges(): void {
  if (!board) return;
  for (const o of board.orders) {
    const el = main.querySelector(`[data-order="${o.orderCode}"] .age`);
    if (el) el.textContent = age(o.placedAt);
  }
}

function updateTitle(): void {
  document.title = fresh.size ? `(${fresh.size}) ${TITLE}` : TITLE;
  clearInterval(remindTimer);
  if (fresh.size) remindTimer = window.setInterval(ring, REMIND_MS);
}

function ring(): void {
  if (sound.chime()) document.body.dataset.rings = String(Number(document.body.dataset.rings ?? "0") + 1);
}

function updateSound(): void {
  const on = sound.enabled();
  soundButton.textContent = on ? "Test sound" : "Tap to enable sound";
  soundButton.classList.toggle("attention", !on);
}

async function soundClicked(): Promise<void> {
  if (sound.enabled()) sound.chime();
  else await sound.enable();
  updateSound();
}

// Browsers allow audio only after a user gesture: the first tap or key anywhere enables it.
function firstGesture(): void {
  void sound.enable().then(updateSound);
}
document.addEventListener("pointerdown", firstGesture, { capture: true, once: true });
document.addEventListener("keydown", firstGesture, { capture: true, once: true });

// -- writes and the connection -------------------------------------------------------------------------
async function write(w: Write): Promise<void> {
  pending.add(w.order.orderId);
  renderBoard();
  let reply: api.Reply;
  try {
    reply = await api.changeOrder(session!.restaurant!.id, w.order.orderId, w.change);
  } catch {
    // Safe to send again: the change names the status it expects, so a replay cannot move the order twice.
    queue.push(w);
    setOnline(false);
    say(`No connection: order ${w.order.orderCode} will be ${w.done} when the connection is back.`, "error");
    return;
  }
  pending.delete(w.order.orderId);
  if (!handle(reply)) return;
  const code = w.order.orderCode;
  if (reply.status === 200) {
    say(`Order ${code} ${w.done}.`);
  } else if (reply.status === 409 && reply.body?.error?.code === "ORDER_STATUS_CONFLICT") {
    const now = reply.body.error.status as Status | undefined;
    say(now === w.change.status ? `Order ${code} ${w.done}.`
      : `Order ${code} was changed on another device: it is ${now ? STATUS_WORDS[now] : "changed"} now.`,
      now === w.change.status ? "info" : "error");
  } else {
    say(`Order ${code}: ${api.errorText(reply, "not changed")}`, "error");
  }
  etag = null;
  await poll();
}

function setOnline(value: boolean): void {
  if (value === online) return;
  online = value;
  banner.hidden = online;
  banner.textContent = online ? "" : "Offline: no connection to the server. The board is not up to date; "
    + "changes you make are sent when the connection is back.";
  if (online) {
    const waiting = queue;
    queue = [];
    for (const w of waiting) {
      pending.delete(w.order.orderId);
      void write(w);
    }
  }
}

window.addEventListener("offline", () => setOnline(false));
window.addEventListener("online", () => void poll());
document.addEventListener("visibilitychange", () => {
  if (document.visibilityState === "visible") void poll();
});

// -- start: an existing session (the cookie), or the sign-in ----------------------------------------------
async function boot(): Promise<void> {
  let reply: api.Reply<Session>;
  try {
    reply = await api.currentSession();
  } catch {
    showSignIn("No connection to the server. Reload when it is back.");
    return;
  }
  if (reply.status === 200) start(reply.body);
  else showSignIn();
}

void boot();
