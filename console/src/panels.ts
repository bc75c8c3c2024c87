// The sold-out search and the owner's restaurant panel (embed snippet, tenant check, opening hours,
// kitchen keys).
import * as api from "./api";
import { h, clear } from "./dom";
import { hoursEditor } from "./hours";
import type { Item } from "./types";

export interface PanelHost {
  restaurantId: string;
  say(text: string, tone?: "error" | "info"): void;
  handle(reply: api.Reply): boolean; // false when the reply ended the session (401)
  offline(): void;
}

export function soldOutPanel(host: PanelHost): HTMLElement {
  const list = h("ul", { class: "items", "aria-live": "polite" });
  const search = h("input", { type: "search", id: "item-search", autocomplete: "off", placeholder: "e.g. soup" });
  const untilNext = h("input", { type: "checkbox", id: "until-next" });
  let timer = 0;
  let asked = 0;

  async function load(): Promise<void> {
    const ask = ++asked;
    let reply: api.Reply;
    try {
      reply = await api.items(host.restaurantId, search.value.trim());
    } catch {
      host.offline();
      return;
    }
    if (ask !== asked || !host.handle(reply)) return;
    if (reply.status !== 200) {
      host.say(api.errorText(reply, "Could not load the menu"), "error");
      return;
    }
    const items: Item[] = reply.body.items ?? [];
    clear(list, ...(items.length ? items.map(row) : [h("li", { class: "empty" }, "No items match.")]));
  }

  function row(item: Item): HTMLElement {
    const state = item.available ? "Available" : item.unavailableUntil ? "Sold out until the next opening" : "Sold out";
    return h("li", { class: item.available ? "item" : "item sold-out" },
      h("span", { class: "name" }, item.name, item.section ? h("span", { class: "section" }, ` · ${item.section}`) : null),
      h("span", { class: "state" }, state),
      h("button", {
        type: "button", "aria-pressed": item.available ? "false" : "true", "aria-label": `Sold out: ${item.name}`,
        class: "toggle", onclick: (e: Event) => void toggle(item, e.currentTarget as HTMLButtonElement),
      }, "Sold out"));
  }

  async function toggle(item: Item, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    const available = !item.available;
    let reply: api.Reply;
    try {
      reply = await api.setAvailable(host.restaurantId, item.itemId, available,
                                     !available && untilNext.checked ? "next_opening" : null);
    } catch {
      button.disabled = false;
      host.offline();
      host.say(`Not sent: no connection. ${item.name} is unchanged.`, "error");
      return;
    }
    if (!host.handle(reply)) return;
    if (reply.status >= 300) host.say(api.errorText(reply, "Could not change the item"), "error");
    else host.say(`${item.name}: ${available ? "available again" : "sold out"}.`);
    await load();
    (document.querySelector(`button[aria-label="Sold out: ${CSS.escape(item.name)}"]`) as HTMLElement | null)?.focus();
  }

  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => void load(), 250);
  });
  void load();
  return h("section", { class: "panel", "aria-labelledby": "soldout-title" },
    h("h2", { id: "soldout-title" }, "Sold out"),
    h("div", { class: "field" }, h("label", { for: "item-search" }, "Search the menu"), search),
    h("div", { class: "check" }, untilNext, h("label", { for: "until-next" }, "Sold out until the next opening")),
    list);
}

export function setupPanel(host: PanelHost): HTMLElement {
  const snippet = h("div", {});
  const checks = h("div", {});
  const keyList = h("div", {});
  const created = h("div", { "aria-live": "polite" });
  const name = h("input", { id: "key-name", maxlength: 80, autocomplete: "off", required: true });

  async function get(load: () => Promise<api.Reply>): Promise<api.Reply | null> {
    try {
      const reply = await load();
      return host.handle(reply) ? reply : null;
    } catch {
      host.offline();
      return null;
    }
  }

  const hours = hoursEditor(host, get);

  async function loadSetup(): Promise<void> {
    const reply = await get(() => api.setup(host.restaurantId));
    if (!reply) return;
    if (reply.status !== 200) {
      clear(snippet, h("p", {}, api.errorText(reply, "Could not load the setup")));
      return;
    }
    const body = reply.body;
    hours.show(body.hours, String(body.timezone ?? ""));
    clear(snippet, h("pre", { class: "snippet", tabindex: 0, "aria-label": "Embed snippet" },
                     h("code", {}, String(body.embedSnippet ?? ""))),
          h("p", {}, "Allowed sites: ", (body.allowedOrigins ?? []).join(", ") || "none"));
    const results: any[] = Array.isArray(body.check) ? body.check
      : Object.entries(body.check ?? {}).flatMap(([site, list]) =>
          (Array.isArray(list) ? list : []).map((c: any) => ({ ...c, name: `${site}: ${c.name}` })));
    clear(checks, results.length === 0 ? h("p", {}, "No checks ran.") : h("ul", { class: "checks" },
      ...results.map((c) => h("li", { class: c.ok ? "ok" : "fail" },
        h("strong", {}, c.ok ? "OK " : "FAIL "), `${c.name}`, c.detail ? ` — ${c.detail}` : ""))));
  }

  async function loadKeys(): Promise<void> {
    const reply = await get(() => api.keys(host.restaurantId));
    if (!reply) return;
    if (reply.status !== 200) {
      clear(keyList, h("p", {}, api.errorText(reply, "Could not load the keys")));
      return;
    }
    const keys: any[] = (reply.body.keys ?? []).filter((k: any) => k.active !== false);
    clear(keyList, h("table", { class: "keys" },
      h("caption", {}, "Keys of this restaurant"),
      h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Name"), h("th", { scope: "col" }, "Role"),
                      h("th", { scope: "col" }, "Expires"), h("th", { scope: "col" }, h("span", { class: "sr" }, "Action")))),
      h("tbody", {}, ...keys.map((k) => h("tr", {},
        h("td", {}, String(k.name)), h("td", {}, String(k.role ?? "")),
        h("td", {}, k.expiresAt ? String(k.expiresAt).slice(0, 10) : "never"),
        h("td", {}, k.role === "kitchen" ? h("button", { type: "button", class: "danger",
          "aria-label": `Revoke ${k.name}`, onclick: () => void revoke(k) }, "Revoke") : ""))))));
  }

  async function revoke(k: any): Promise<void> {
    if (!window.confirm(`Revoke the key “${k.name}”? Tablets signed in with it are signed out.`)) return;
    const reply = await get(() => api.revokeKey(host.restaurantId, String(k.id)));
    if (reply && reply.status >= 300) host.say(api.errorText(reply, "Could not revoke the key"), "error");
    else if (reply) host.say(`Key “${k.name}” revoked.`);
    await loadKeys();
  }

  const form = h("form", { class: "inline", onsubmit: async (e: Event) => {
    e.preventDefault();
    if (!name.value.trim()) return;
    const reply = await get(() => api.createKey(host.restaurantId, name.value.trim()));
    if (!reply) return;
    if (reply.status >= 300) {
      host.say(api.errorText(reply, "Could not create the key"), "error");
      return;
    }
    name.value = "";
    clear(created, h("p", {}, "The new kitchen key (shown once: copy it now):"),
          h("pre", { class: "snippet", tabindex: 0 }, h("code", {}, String(reply.body.key ?? ""))));
    await loadKeys();
  } },
    h("label", { for: "key-name" }, "New kitchen key, named"), name,
    h("button", { type: "submit", class: "primary" }, "Create key"));

  void loadSetup();
  void loadKeys();
  return h("section", { class: "panel", "aria-labelledby": "setup-title" },
    h("h2", { id: "setup-title" }, "Restaurant"),
    h("h3", {}, "Embed snippet"), snippet,
    h("h3", {}, "Tenant check"), checks,
    hours.el,
    h("h3", {}, "Kitchen keys"), keyList, form, created);
}
