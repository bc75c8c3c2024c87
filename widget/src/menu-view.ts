// The menu: sections, prices, diet and allergen badges, and filters. A diet filter passes only
// items tagged for it (vegetarian accepts vegan, as the vocabulary says); an allergen filter hides
// items that declare the allergen and marks items whose allergens are not declared "ask staff"
// instead of letting them pass.

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
      const label = t("avoidX", allergenLabel(a, lang).toLowerCase());
      return h("button", { "data-k": "f-" + a, "aria-pressed": true, onclick: toggle(filters.avoid, [a]) },
               label + " ×");
    }),
    h("select", {
      "aria-label": t("avoid"), "data-k": "f-avoid",
      onchange: (e) => {
        const value = (e.target as HTMLSelectElement).value;
        if (value) filters.avoid.add(value);
        ctx.render();
      },
    }, h("option", { value: "" }, t("avoid")),
    EU14.filter((a) => !filters.avoid.has(a)).map((a) => h("option", { value: a }, allergenLabel(a, lang)))));
}

/** A dish: name and details on the left; price and, when ordering is on, an Add button on the right. */
export function dish(ctx: Ctx, tag: string, cls: string, id: string, name: string, cents: number, ...details: Child[]): HTMLElement {
  return h(tag, { class: cls },
    h("div", {}, h("h4", {}, name), details),
    h("div", { class: "e" }, h("span", { class: "p" }, ctx.money(cents)),
      ctx.config.features.ordering && ctx.items.has(id) && h("button", {
        class: "add", "data-k": "add-" + id, "aria-label": ctx.t("addLabel", name), onclick: () => ctx.add(id),
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
    filterBar(ctx),
    h("p", { class: "m", role: "status" }, shown === 0 ? t("nothing") : hidden ? t("hidden", hidden) : ""),
    ...sections,
  ];
}
