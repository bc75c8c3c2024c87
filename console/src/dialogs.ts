// The accept (ready in 10/15/20/30 min) and cancel (with a reason the diner sees) dialogs: native modal
// <dialog>s, so focus stays inside and Escape closes them; focus goes back where it was.
import { h } from "./dom";
import type { Order } from "./types";

export const READY_IN = [10, 15, 20, 30];

function modal(title: string, body: (close: () => void) => Node[]): void {
  const back = document.activeElement as HTMLElement | null;
  const backKey = back?.dataset.key;
  const titleId = `dlg-${Math.random().toString(36).slice(2)}`;
  const dialog = h("dialog", { "aria-labelledby": titleId });
  const close = () => dialog.close();
  dialog.append(h("h2", { id: titleId }, title), ...body(close));
  dialog.addEventListener("close", () => {
    dialog.remove();
    // the board may have been drawn again meanwhile: the same control, found by its key
    const again = back?.isConnected ? back
      : backKey ? document.querySelector<HTMLElement>(`[data-key="${CSS.escape(backKey)}"]`) : null;
    again?.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
}

export function acceptDialog(order: Order, accept: (minutes: number) => void): void {
  modal(`Accept order ${order.orderCode}`, (close) => [
    h("p", {}, "Ready in:"),
    h("div", { class: "choices" }, ...READY_IN.map((minutes) => h("button", {
      type: "button", class: "primary big", onclick: () => { close(); accept(minutes); } }, `${minutes} min`))),
    h("div", { class: "actions" }, h("button", { type: "button", onclick: close }, "Back")),
  ]);
}

export function cancelDialog(order: Order, cancel: (reason: string) => void): void {
  modal(`Cancel order ${order.orderCode}`, (close) => {
    const reason = h("textarea", { id: "cancel-reason", maxlength: 200, rows: 3, "aria-required": "true" });
    const error = h("p", { class: "field-error", id: "cancel-error", role: "alert" });
    const form = h("form", { method: "dialog", onsubmit: (e: Event) => {
      e.preventDefault();
      const text = reason.value.trim();
      if (!text) {
        error.textContent = "Write a reason: the diner sees it.";
        reason.setAttribute("aria-invalid", "true");
        reason.setAttribute("aria-describedby", "cancel-error");
        reason.focus();
        return;
      }
      close();
      cancel(text);
    } },
      h("label", { for: "cancel-reason" }, "Reason (the diner sees it)"), reason, error,
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "danger" }, "Cancel order"),
        h("button", { type: "button", onclick: close }, "Back")));
    return [form];
  });
}
