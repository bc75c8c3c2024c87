// The shell's keyboard: the button opens (it is a button), Tab is trapped in the open panel, Escape
// closes it and returns the focus, arrow keys (and Home, End) move between the tabs.

import { type Shell, TABS } from "./shell";

const FOCUSABLE = "button:not([disabled]),input,select,textarea,[tabindex='0']";

export function keyboard({ root, panel, tab, toggle, select }: Shell): void {
  root.addEventListener("keydown", (e) => {
    const ev = e as KeyboardEvent;
    if (panel.hidden) return;
    if (ev.key === "Escape") {
      ev.preventDefault();
      toggle(false);
    } else if (ev.key === "Tab") {
      const all = [...panel.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => el.getClientRects().length && el.tabIndex >= 0);
      const first = all[0], last = all[all.length - 1];
      if (ev.shiftKey ? root.activeElement === first || !panel.contains(root.activeElement) : root.activeElement === last) {
        ev.preventDefault();
        (ev.shiftKey ? last : first)?.focus();
      }
    } else if ((ev.target as HTMLElement).getAttribute("role") === "tab") {
      const i = TABS.findIndex(([name]) => name === tab());
      const to = { ArrowRight: i + 1, ArrowLeft: i + 2, Home: 0, End: 2 }[ev.key];
      if (to !== undefined) {
        ev.preventDefault();
        select(TABS[to % 3]![0], true);
      }
    }
  });
}
