// The assistant: POST /api/chat, or the local responder when server chat is off (config flag or
// 503 SERVER_CHAT_DISABLED) or the API is unreachable (network error, 5xx). Suggestion cards add
// to the cart in one tap and show their allergens; chips send a follow-up. What the assistant
// understood is shown under its answer as chips; removing one sends the diner's last message again
// with `forget`. The log only grows while the view is shown, so screen readers announce each new
// message once.

import { ApiError } from "./api";
import type { Understood } from "./chat/local";
import type { Ctx, Message } from "./context";
import { type Child, h } from "./dom";
import type { Key } from "./i18n";
import { allergenLine, dish } from "./menu-view";
import type { Answer } from "./types";
import { allergenLabel, tagLabel } from "./vocab";

const MAX_MESSAGE = 500;
declare const LOCAL_CHUNK: string; // the local responder's file name, set by build.mjs
type Local = typeof import("./chat/local");
let local: Promise<Local> | null = null;

/** The local responder, imported once from where widget.js came from (a content-hashed, immutable URL;
 * not the API's endpoint: it must load when the API is down). */
function responder(ctx: Ctx): Promise<Local> {
  const url = ctx.base + LOCAL_CHUNK;
  return (local ??= (import(url) as Promise<Local>).catch((e: unknown) => {
    local = null;
    console.error(`[stjarna] could not load the local responder from ${url}: ${String(e)}`);
    throw e;
  }));
}

/** Send a message; with `forget` (a part of the reading taken back), show `note` instead of the message. */
type Say = (text: string, forget?: string, note?: string) => void;
type Chip = [label: string, forget: string, name?: string]; // name: what the button and the note say, else label

/** What the assistant understood, as removable chips: the avoided allergens first, then the rest. */
function understood(ctx: Ctx, u: Understood, say: Say): Child[] {
  const { t, lang } = ctx;
  const row = (title: Key, chips: Chip[], allergen?: boolean): Child => chips.length > 0 &&
    h("div", { class: allergen ? "u ua" : "u" }, t(title), chips.map(([label, code, name = label]) => h("span", {}, label,
      h("button", { "aria-label": t(allergen ? "stopAvoiding" : "remove", name),
                    onclick: () => say(ctx.chat.said ?? "", code, t(allergen ? "unavoided" : "removed", name)) }, "×"))));
  const rest: Chip[] = [...u.diets.map((d): Chip => [tagLabel(d, lang), "diet:" + d]),
                        ...u.courses.map((c): Chip => [t(c as Key), "course:" + c])];
  if (u.maxPriceCents !== null) rest.push([t("under", ctx.money(u.maxPriceCents)), "maxPrice"]);
  if (u.spicy !== null) rest.push([u.spicy ? tagLabel("spicy", lang) : t("mild"), "spicy"]);
  if (u.cheapest) rest.push([t("cheapest"), "cheapest"]);
  // ingredient terms, labelled in the reply's language by the answer itself ("Stop avoiding onion")
  const term = (key: Key, bare?: boolean) => (k: string): Chip => {
    const word = u.termLabels?.[k] ?? k;
    return [t(key, word), "ingredient:" + k, bare ? word : undefined];
  };
  rest.push(...u.with.map(term("withTerm")), ...u.without.map(term("avoidX")));
  return [row("avoiding", [...u.avoid.map((a): Chip => [allergenLabel(a, lang), "allergen:" + a]),
                           ...u.avoidTerms.map(term("notDeclared", true))], true),
          row("understood", rest)];
}

function messageView(ctx: Ctx, m: Message, say: Say): HTMLElement {
  const { t } = ctx;
  return h("div", { class: "msg " + m.who },
    m.who === "me" && h("span", { class: "sr" }, t("you") + ": "),
    m.text,
    m.understood && understood(ctx, m.understood, say),
    !!m.suggestions?.length && m.suggestions.map((s) => dish(ctx, "div", "i card", s.itemId, s.name, s.priceCents,
      h("p", { class: "d" }, s.reason), allergenLine(ctx, s))),
    m.local && h("p", { class: "m" }, t("local")),
    !!m.chips?.length && h("div", { class: "chips" }, m.chips.map((c) => h("button", { onclick: () => say(c) }, c))));
}

function push(ctx: Ctx, m: Message): void {
  ctx.chat.messages.push(m);
  ctx.chat.view?.show(m);
}

const answered = (ctx: Ctx, a: Answer, local?: boolean): void =>
  push(ctx, { who: "bot", text: a.reply, suggestions: a.suggestions, chips: a.chips, understood: a.understood, local });

async function answerLocally(ctx: Ctx, text: string, forget: string[], note?: string): Promise<void> {
  if (note) push(ctx, { who: "note", text: note });
  try {
    const turn = (await responder(ctx)).localAnswer(ctx.menu, text, ctx.chat.previous, ctx.opts.locale, forget);
    ctx.chat.previous = turn.constraints;
    answered(ctx, turn.answer, true);
  } catch {
    push(ctx, { who: "note", text: ctx.t("noAssistant") });
  }
}

async function send(ctx: Ctx, raw: string, forget?: string, note?: string): Promise<void> {
  const { chat, t } = ctx;
  const text = raw.trim().slice(0, MAX_MESSAGE);
  if (!text || chat.busy) return;
  ctx.store.activate();
  chat.said = text;
  push(ctx, note ? { who: "note", text: note } : { who: "me", text });
  // what the diner took back since their last message: sending that message again must not read it again
  const f = (chat.forgot = forget ? [...new Set([...chat.forgot ?? [], forget])] : []);
  chat.busy = true;
  chat.view?.busy(true);
  try {
    if (chat.local || !ctx.config.features.serverChat) return await answerLocally(ctx, text, f);
    answered(ctx, await ctx.api.chat(ctx.store.get().token, text, f));
  } catch (e) {
    if (e instanceof ApiError && e.code === "SERVER_CHAT_DISABLED") {
      chat.local = true;
      await answerLocally(ctx, text, f);
    } else if (e instanceof ApiError && e.status === 429) {
      push(ctx, { who: "note", text: t("rateLimited", e.retryAfter ?? 30) });
    } else if (e instanceof ApiError && e.status < 500) {
      push(ctx, { who: "note", text: t("chatError", e.message) });
    } else {
      await answerLocally(ctx, text, f, t("offline"));
    }
  } finally {
    chat.busy = false;
    chat.view?.busy(false);
  }
}

export function chatView(ctx: Ctx): Child[] {
  const { t, chat } = ctx;
  const log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": t("assistant") });
  const typing = h("div", { class: "msg dots", role: "status", "aria-label": t("typing"), hidden: true },
    h("span"), h("span"), h("span"));
  const input = h("input", { name: "message", maxlength: MAX_MESSAGE, autocomplete: "off", value: chat.draft,
                             "aria-label": t("ask"), placeholder: t("ask"), "data-k": "ask",
                             oninput: () => (chat.draft = input.value) }) as HTMLInputElement;
  const button = h("button", { type: "submit", "data-k": "send" }, t("send")) as HTMLButtonElement;
  const say: Say = (text, forget, note) => void send(ctx, text, forget, note);
  const show = (m: Message): void => {
    log.insertBefore(messageView(ctx, m, say), typing);
    log.scrollTop = log.scrollHeight;
  };
  const busy = (on: boolean): void => {
    typing.hidden = !on;
    button.disabled = on;
    log.scrollTop = log.scrollHeight;
  };
  log.append(typing);
  show({ who: "bot", text: ctx.config.greeting || t("greeting") });
  chat.messages.forEach(show);
  busy(chat.busy);
  chat.view = { show, busy };
  responder(ctx).catch(() => undefined); // fetched ahead: it must be there when the API is not
  const form = h("form", {
    onsubmit: (e) => {
      e.preventDefault();
      say(input.value);
      input.value = chat.draft = "";
    },
  }, input, button);
  return [log, form];
}
