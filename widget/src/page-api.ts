// The page's JavaScript API, `window.Stjarna` (docs/widget.md, "JavaScript API"): the one global the
// widget defines. Every widget.js on the page registers its widget here (the first script creates
// the object; a later one, even of another version, adds to it through the shared registry under
// Symbol.for("stjarna.widgets")). Without a restaurant argument a call acts on the first widget (the first <script> tag in the document);
// Stjarna.get(restaurant) is one widget's handle. Events are the host element's CustomEvents
// (stjarna:open, stjarna:close, stjarna:order: they bubble, detail.restaurant names the widget),
// which Stjarna.on listens to on the document.

export type PageEvent = "open" | "close" | "order";
export type PageTab = "menu" | "assistant" | "cart";
type Listener = (detail: Record<string, unknown>) => void;

export interface Widget {
  readonly restaurant: string;
  /** Its <script> tag: widgets are in the order of their tags in the document. */
  readonly script: Element;
  open(): void;
  close(): void;
  openTab(tab: PageTab): void;
  on(event: PageEvent, fn: Listener): () => void;
}

export interface PageApi {
  open(restaurant?: string): void;
  close(restaurant?: string): void;
  openTab(tab: PageTab, restaurant?: string): void;
  /** Listen to one widget's events, or (no restaurant) every widget's; returns the unsubscribe. */
  on(event: PageEvent, fn: Listener, restaurant?: string): () => void;
  get(restaurant: string): Widget | undefined;
}

const REGISTRY = Symbol.for("stjarna.widgets");
const EVENTS = ["open", "close", "order"];
export const TAB_NAMES = ["menu", "assistant", "cart"];
const warn = (message: string): void => console.warn("[stjarna] " + message);

/** Listen to `stjarna:<event>` on `target`; null when the arguments are wrong (warned). */
export function listen(target: EventTarget, event: PageEvent, fn: Listener, restaurant?: string): () => void {
  if (!EVENTS.includes(event) || typeof fn !== "function") {
    warn(`Stjarna.on(event, fn): event is one of ${EVENTS.join(", ")} and fn a function; got ${JSON.stringify(event)}.`);
    return () => {};
  }
  const handler = (e: Event): void => {
    const detail = (e as CustomEvent<Record<string, unknown>>).detail;
    if (restaurant === undefined || detail.restaurant === restaurant.toLowerCase()) fn(detail);
  };
  target.addEventListener("stjarna:" + event, handler);
  return () => target.removeEventListener("stjarna:" + event, handler);
}

type Registered = PageApi & { [REGISTRY]?: Widget[] };

function create(): Registered {
  const widgets: Widget[] = [];
  const get = (restaurant?: string): Widget | undefined =>
    restaurant === undefined ? widgets[0] : widgets.find((w) => w.restaurant === String(restaurant).toLowerCase());
  const act = (restaurant: string | undefined, f: (w: Widget) => void): void => {
    const w = get(restaurant);
    if (w) f(w);
    else warn(restaurant === undefined ? "no widget on this page yet." : `no widget for ${JSON.stringify(restaurant)} on this page.`);
  };
  return Object.freeze({
    [REGISTRY]: widgets,
    open: (restaurant?: string) => act(restaurant, (w) => w.open()),
    close: (restaurant?: string) => act(restaurant, (w) => w.close()),
    openTab: (tab: PageTab, restaurant?: string) => act(restaurant, (w) => w.openTab(tab)),
    on: (event: PageEvent, fn: Listener, restaurant?: string) => listen(document, event, fn, restaurant),
    get: (restaurant: string) => get(restaurant),
  });
}

/** Add a widget to window.Stjarna (creating it), and tell the page with a stjarna:ready event on the document. */
export function register(widget: Widget): void {
  const w = window as unknown as { Stjarna?: Registered };
  const api = (w.Stjarna ??= create());
  const list = api[REGISTRY];
  if (list) {
    const after = list.findIndex((w) => w.script.compareDocumentPosition(widget.script) & Node.DOCUMENT_POSITION_PRECEDING);
    list.splice(after < 0 ? list.length : after, 0, widget);
  }
  document.dispatchEvent(new CustomEvent("stjarna:ready", { detail: { restaurant: widget.restaurant } }));
}
