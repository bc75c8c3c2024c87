// The owner's opening-hours editor (Restaurant tab): one row per weekday with zero or more HH:MM ranges,
// saved whole with PUT …/hours. The server checks them with the menu format's own rules; a 422 is shown
// at the day it names (its path, e.g. hours.mon[0][1], or its message, "mon: opening ranges overlap").
import * as api from "./api";
import { h, clear } from "./dom";
import type { PanelHost } from "./panels";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
type Day = (typeof DAYS)[number];
const NAMES: Record<Day, string> = { mon: "Monday", tue: "Tuesday", wed: "Wednesday", thu: "Thursday",
                                     fri: "Friday", sat: "Saturday", sun: "Sunday" };
type Week = Record<Day, [string, string][]>;

export function hoursEditor(host: PanelHost, get: (load: () => Promise<api.Reply>) => Promise<api.Reply | null>):
    { el: HTMLElement; show(hours: unknown, timezone: string): void } {
  const week = Object.fromEntries(DAYS.map((d) => [d, []])) as unknown as Week;
  const days = h("div", { class: "days" });
  const zone = h("p", { class: "help" });
  const save = h("button", { type: "submit", class: "primary" }, "Save opening hours");
  let errors: Partial<Record<Day, string>> = {};

  function show(hours: unknown, timezone: string): void {
    const given = (hours && typeof hours === "object" ? hours : {}) as Record<string, unknown>;
    for (const d of DAYS) {
      const ranges = Array.isArray(given[d]) ? (given[d] as unknown[]) : [];
      week[d] = ranges.map((r) => (Array.isArray(r) ? [String(r[0] ?? ""), String(r[1] ?? "")] : ["", ""]));
    }
    clear(zone, `Times in ${timezone}. A closing time at or before the opening time runs past midnight; `,
          "24:00 closes at midnight. A day with no ranges is closed.");
    errors = {};
    render();
  }

  function render(focus?: string): void {
    clear(days, ...DAYS.map(row));
    if (focus) (document.getElementById(focus) as HTMLElement | null)?.focus();
  }

  function row(d: Day): HTMLElement {
    const error = errors[d];
    const errorId = `hours-${d}-error`;
    const ranges = week[d].map(([from, to], i) => {
      const input = (end: 0 | 1, text: string, value: string) => {
        const id = `hours-${d}-${i}-${end ? "to" : "from"}`;
        return [h("label", { for: id, class: "sr" }, `${NAMES[d]}, range ${i + 1}, ${text}`),
                h("input", { id, value, inputmode: "numeric", maxlength: 5, placeholder: "HH:MM", autocomplete: "off",
                             class: "time", "aria-invalid": error ? "true" : null, "aria-describedby": error ? errorId : null,
                             oninput: (e: Event) => { week[d][i]![end] = (e.target as HTMLInputElement).value.trim(); } })];
      };
      return h("li", { class: "range" }, ...input(0, "opens", from), h("span", { "aria-hidden": "true" }, "–"),
        ...input(1, "closes", to),
        h("button", { type: "button", class: "danger", "aria-label": `Remove ${NAMES[d]} range ${i + 1}`,
                      onclick: () => { week[d].splice(i, 1); render(`hours-${d}-add`); } }, "Remove"));
    });
    return h("fieldset", { class: error ? "day invalid" : "day", "data-day": d },
      h("legend", {}, NAMES[d]),
      ranges.length ? h("ul", { class: "ranges" }, ...ranges) : h("p", { class: "closed" }, "Closed"),
      h("button", { type: "button", id: `hours-${d}-add`, "aria-label": `Add range to ${NAMES[d]}`,
                    onclick: () => { week[d].push(["", ""]); render(`hours-${d}-${week[d].length - 1}-from`); } },
        "Add range"),
      error ? h("p", { class: "field-error", id: errorId, role: "alert" }, error) : null);
  }

  async function submit(e: Event): Promise<void> {
    e.preventDefault();
    const hours = Object.fromEntries(DAYS.filter((d) => week[d].length).map((d) => [d, week[d]]));
    save.disabled = true;
    const reply = await get(() => api.setHours(host.restaurantId, hours));
    save.disabled = false;
    if (!reply) return;
    if (reply.status === 422) {
      errors = {};
      const problems: any[] = reply.body?.error?.errors ?? [];
      for (const p of problems) {
        const day = DAYS.find((d) => String(p.path ?? "").startsWith(`hours.${d}`) || String(p.message ?? "").startsWith(`${d}:`));
        if (day) errors[day] = String(p.message ?? "").replace(/^\w{3}: /, "");
      }
      const first = DAYS.find((d) => errors[d]);
      if (!first) {
        host.say(api.errorText(reply, "Could not save the opening hours"), "error");
        return;
      }
      render(week[first].length ? `hours-${first}-0-from` : `hours-${first}-add`);
      host.say(`Opening hours not saved: ${NAMES[first]}: ${errors[first]}`, "error");
      return;
    }
    if (reply.status >= 300) {
      host.say(api.errorText(reply, "Could not save the opening hours"), "error");
      return;
    }
    show(reply.body.hours, String(reply.body.timezone ?? ""));
    host.say("Opening hours saved: the widget and ordering follow within seconds.");
  }

  const el = h("form", { class: "hours", "aria-labelledby": "hours-title", novalidate: true,
                         onsubmit: (e: Event) => void submit(e) },
    h("h3", { id: "hours-title" }, "Opening hours"), zone, days, save);
  return { el, show };
}
