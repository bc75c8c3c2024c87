// The assistant: POST /api/chat, or the local responder when server chat is off (config flag or
// 503 SERVER_CHAT_DISABLED) or the API is unreachable (network error, 5xx). Suggestion cards add
// to the cart in one tap; chips send a follow-up. The log only grows while the view is shown, so
// screen readers announce each new message once.

import { ApiError } from "./api";
import type { Ctx, Message } from "./context";
import { type Child, h } from "./dom";
import { dish } from "./menu-view";

const MAX_MESSAGE = 500;
declare const LOCAL_CHUNK: string; // the local responder's file name, set by build.mjs
type Local = typeof import("./chat/local");
let local: Promise<Local> | null = null;

/** The local responder, imported once from the API (a content-hashed, immutable URL). */
function responder(ctx: Ctx): Promise<Local> {
  const url = `${ctx.opts.endpoint}/widget/${LOCAL_CHUNK}`;
  return (local ??= (import(url) as Promise<Local>).catch((e: unknown) => {
    local = null;
    console.error(`[stjarna] could not load the local responder from ${url}: ${String(e)}`);
    throw e;
  }));
}

function messageView(ctx: Ctx, m: Message, send: (text: string) => void): HTMLElement {
  const { t } = ctx;
  return h("div", { class: "msg " + m.who },
    m.who === "me" && h("span", { class: "sr" }, t("you") + ": "),
    m.text,
    !!m.suggestions?.length && m.suggestions.map((s) => dish(ctx, "div", "i card", s.itemId, s.name, s.priceCents,
      h("p", { class: "d" }, s.reason))),
    m.local && h("p", { class: "m" }, t("local")),
    !!m.chips?.length && h("div", { class: "chips" }, m.chips.map((c) => h("button", { onclick: () => send(c) }, c))));
}

function push(ctx: Ctx, m: Message): void {
  ctx.chat.messages.push(m);
  ctx.chat.view?.show(m);
}

async function answerLocally(ctx: Ctx, text: string, note?: string): Promise<void> {
  if (note) push(ctx, { who: "note", text: note });
  try {
    const turn = (await responder(ctx)).localAnswer(ctx.menu, text, ctx.chat.previous, ctx.opts.locale);
    ctx.chat.previous = turn.constraints;
    const { reply, suggestions, chips } = turn.answer;
    push(ctx, { who: "bot", text: reply, suggestions, chips, local: true });
  } catch {
    push(ctx, { who: "note", text: ctx.t("noAssistant") });
  }
}

async function send(ctx: Ctx, raw: string): Promise<void> {
  const { chat, t } = ctx;
  const text = raw.trim().slice(0, MAX_MESSAGE);
  if (!text || chat.busy) return;
  ctx.store.activate();
  push(ctx, { who: "me", text });
  chat.busy = true;
  chat.view?.busy(true);
  try {
    if (chat.local || !ctx.config.features.serverChat) return await answerLocally(ctx, text);
    const a = await ctx.api.chat(ctx.store.get().token, text);
    push(ctx, { who: "bot", text: a.reply, suggestions: a.suggestions, chips: a.chips });
  } catch (e) {
    if (e instanceof ApiError && e.code === "SERVER_CHAT_DISABLED") {
      chat.local = true;
      await answerLocally(ctx, text);
    } else if (e instanceof ApiError && e.status === 429) {
      push(ctx, { who: "note", text: t("rateLimited", e.retryAfter ?? 30) });
    } else if (e instanceof ApiError && e.status < 500) {
      push(ctx, { who: "note", text: t("chatError", e.message) });
    } else {
      await answerLocally(ctx, text, t("offline"));
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
  const say = (text: string): void => void send(ctx, text);
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
