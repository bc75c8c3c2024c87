// The menu: sections, prices, diet and allergen badges, and filters. A diet filter passes only
// items tagged for it (vegetarian accepts vegan, as the vocabulary says); an allergen filter hides
// items that declare the allergen and marks items whose allergens are not declared "ask staff"
// instead of letting them pass.

import { banner } from "./cart-view";
import { orderable } from "./checkout";
import type { Ctx } from "./context";
import { type Child, h } from "./dom";
import type { Key } from "./i18n";
import type { MenuItem } from "./types";
import { allergenLabel, EU14, satisfiedBy, tagLabel } from "./vocab";

const DIET_FILTERS = ["vegan", "vegetarian"] as const;
const GROUPS: [Key, string[]][] = [["glutenFree", ["gluten"]], ["nutFree", ["nuts", "peanuts"]]];

type Verdict = "pass" | "hide" | "ask";

export function verdict(item: MenuItem, dietCodes: Set<string>, avoid: Set<string>): Verdict {
  for (const diet of dietCodes) {
    if (!satisfiedBy(diet).some((tag) => item.tags.includes(tag))) return "hide";
  }
  if (item.allergens.some((a) => avoid.has(a))) return "hide";
  return avoid.size && !item.allergensDeclared ? "ask" : "pass";
}

// Which widgets have the allergen list open (the view is drawn again on every change).
const listOpen = new WeakSet<object>();

/** Lower-case an allergen's name inside a sentence ("No eggs"), except in German, whose nouns keep their capital. */
const inSentence = (label: string, lang: string): string => (lang === "de" ? label : label.toLowerCase());

/** "Avoid an allergen…": a button that opens a list of the EU-14 allergens as checkable items. Arrow keys,
 * Home and End move; Enter, Space or a click applies one allergen (and closes the list); Escape closes it.
 * Nothing applies on a move (the <select> it replaces applied a filter on every ArrowDown). */
function allergenList(ctx: Ctx): HTMLElement {
  const { t, lang, filters } = ctx;
  const open = listOpen.has(filters);
  const rootOf = (e: Event): ShadowRoot => (e.target as Node).getRootNode() as ShadowRoot;
  const show = (on: boolean, e: Event): void => {
    const root = rootOf(e);
    if (on) listOpen.add(filters);
    else listOpen.delete(filters);
    ctx.render();
    root.querySelector<HTMLElement>(on ? ".lb button" : "[data-k=f-avoid]")?.focus();
  };
  const items = EU14.map((a) => h("button", {
    role: "menuitemcheckbox", "aria-checked": filters.avoid.has(a), tabindex: -1, "data-k": "lb-" + a,
    onclick: (e) => {
      if (filters.avoid.has(a)) filters.avoid.delete(a);
      else filters.avoid.add(a);
      show(false, e);
    },
  }, allergenLabel(a, lang)));
  const list = open && h("div", {
    class: "lb", role: "menu", "aria-label": t("avoid"),
    onkeydown: (e) => {
      const ev = e as KeyboardEvent;
      const at = items.indexOf(rootOf(e).activeElement as HTMLElement);
      const to = { ArrowDown: at + 1, ArrowUp: at - 1 + items.length, Home: 0, End: items.length - 1 }[ev.key];
      if (to !== undefined) items[to % items.length]!.focus();
      else if (ev.key === "Escape") show(false, e);
      else if (ev.key !== "Tab") return;
      if (ev.key === "Tab") listOpen.delete(filters); // leaving the list closes it (at the next drawing)
      else {
        ev.preventDefault();
        ev.stopPropagation(); // Escape closes the list, not the panel
      }
    },
  }, items);
  return h("div", { class: "av" },
    h("button", { "data-k": "f-avoid", "aria-haspopup": "menu", "aria-expanded": open, onclick: (e) => show(!open, e),
                  onkeydown: (e) => {
                    if ((e as KeyboardEvent).key !== "ArrowDown" || open) return;
                    e.preventDefault();
                    show(true, e);
                  } }, t("avoid")),
    list);
}

function filterBar(ctx: Ctx): HTMLElement {
  const { t, lang, filters } = ctx;
  const toggle = (set: Set<string>, codes: string[]) => () => {
    const on = codes.every((c) => set.has(c));
    codes.forEach((c) => (on ? set.delete(c) : set.add(c)));
    ctx.render();
  };
  const covered = GROUPS.filter(([, codes]) => codes.every((c) => filters.avoid.has(c))).flatMap(([, codes]) => codes);
  const extra = EU14.filter((a) => filters.avoid.has(a) && !covered.includes(a));
  return h("div", { class: "f", role: "group", "aria-label": t("filters") },
    DIET_FILTERS.map((d) => h("button", { "data-k": "f-" + d, "aria-pressed": filters.diets.has(d),
                                          onclick: toggle(filters.diets, [d]) }, t(d))),
    GROUPS.map(([key, codes]) => h("button", { "data-k": "f-" + key,
                                               "aria-pressed": codes.every((c) => filters.avoid.has(c)),
                                               onclick: toggle(filters.avoid, codes) }, t(key))),
    extra.map((a) => {
      const label = t("avoidX", inSentence(allergenLabel(a, lang), lang));
      return h("button", { "data-k": "f-" + a, "aria-pressed": true, onclick: toggle(filters.avoid, [a]) },
               label + " ×");
    }),
    allergenList(ctx));
}

/** A dish: name and details on the left; price and, when ordering is on, an Add button on the right. */
export function dish(ctx: Ctx, tag: string, cls: string, id: string, name: string, cents: number, ...details: Child[]): HTMLElement {
  // under the menu's section headings (h3) a dish is a level 4 heading; a chat card sits under the panel's h2
  return h(tag, { class: cls },
    h("div", {}, h("h4", tag === "li" ? {} : { "aria-level": 3 }, name), details),
    h("div", { class: "e" }, h("span", { class: "p" }, ctx.money(cents)),
      ctx.config.features.ordering && ctx.items.has(id) && h("button", {
        class: "add", "data-k": "add-" + id, "aria-label": ctx.t("addLabel", name), onclick: () => ctx.add(id),
        disabled: !orderable(ctx), // paused, or closed with no pickup slot to order for (checkout.ts)
      }, ctx.t("add"))));
}

/** A dish's allergens: "Contains: …", "No listed allergens" or, when undeclared, "ask staff" (menu and chat cards). */
export function allergenLine({ t, lang }: Ctx, item: Pick<MenuItem, "allergens" | "allergensDeclared">): HTMLElement {
  return !item.allergensDeclared ? h("p", { class: "a w" }, t("askStaff"))
    : h("p", { class: "a" }, item.allergens.length
      ? t("contains", item.allergens.map((a) => allergenLabel(a, lang)).join(", ")) : t("noAllergens"));
}

function itemView(ctx: Ctx, item: MenuItem): HTMLElement {
  return dish(ctx, "li", "i", item.id, item.name, item.priceCents,
    item.description && h("p", { class: "d" }, item.description),
    item.tags.length > 0 && h("div", {}, item.tags.map((tag) => h("span", { class: "b" }, tagLabel(tag, ctx.lang)))),
    allergenLine(ctx, item));
}

export function menuView(ctx: Ctx): Child[] {
  const { filters, t } = ctx;
  let hidden = 0, shown = 0;
  const sections = ctx.menu.sections.map((section) => {
    const items = section.items.flatMap((item) => {
      const v = verdict(item, filters.diets, filters.avoid);
      if (v === "hide") {
        hidden++;
        return [];
      }
      shown++;
      return [itemView(ctx, item)];
    });
    return items.length > 0 && h("section", {}, h("h3", {}, section.name), h("ul", {}, items));
  }).filter((s): s is HTMLElement => !!s);
  return [
    banner(ctx), // paused or closed, and when it opens (cart-view.ts)
    filterBar(ctx),
    h("p", { class: "m", role: "status" }, shown === 0 ? t("nothing") : hidden ? t("hidden", hidden) : ""),
    ...sections,
  ];
}
