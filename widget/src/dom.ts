// A tiny element builder: h("button", {class: "add", onclick: f, "aria-label": "…"}, "Add").
// Attributes that are false, null or undefined are left out; true sets an empty attribute, except
// ARIA states, which are written out ("true"/"false").

export type Child = Node | string | number | null | undefined | false | Child[];
type Attr = string | number | boolean | null | undefined | ((e: Event) => void);

export function h(tag: string, attrs: Record<string, Attr> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  if (tag === "button") el.setAttribute("type", "button"); // never a form's submit unless asked
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === "function") el.addEventListener(name.slice(2), value);
    else if (typeof value === "boolean" && name.startsWith("aria-")) el.setAttribute(name, String(value));
    else if (value === true) el.setAttribute(name, "");
    else if (value !== false && value != null) el.setAttribute(name, String(value));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]): void {
  for (const child of children) {
    if (Array.isArray(child)) append(el, child);
    else if (child !== null && child !== undefined && child !== false) {
      el.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    }
  }
}

/** Replace an element's children. */
export function fill(el: Element, ...children: Child[]): void {
  el.textContent = "";
  append(el, children);
}
