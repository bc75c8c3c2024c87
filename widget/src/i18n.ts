// The widget's strings in English and Swedish; the language comes from data-locale or the browser.
// Allergen and tag labels come from shared/vocabulary.json (vocab.ts).

export type Lang = "en" | "sv";

const EN = {
  fab: "Menu", title: "Menu and ordering", close: "Close", menu: "Menu", assistant: "Assistant", cart: "Cart",
  open: "Open now", closed: "Closed", opens: "opens {x}", opensAt: "It opens {x}.", loading: "Loading the menu…",
  filters: "Filters", vegan: "Vegan", vegetarian: "Vegetarian", glutenFree: "Gluten-free", nutFree: "Nut-free",
  avoid: "Avoid an allergen…", avoidX: "No {x}", askStaff: "Allergens not declared: ask staff",
  contains: "Contains: {x}", noAllergens: "No listed allergens", hidden: "Hidden by your filters: {x}.",
  nothing: "No dishes match your filters.", add: "Add", addLabel: "Add {x} to cart", added: "Added to cart: {x}",
  inCart: "{x} in cart", ask: "Ask about the menu", send: "Send", typing: "The assistant is typing…",
  greeting: "Hi! Ask me about the menu.", local: "Answered on this device from the menu.",
  rateLimited: "Too many requests. Try again in {x} s.",
  offline: "The assistant can't be reached, so answers come from the menu on this device.",
  chatError: "The assistant couldn't answer ({x}).", you: "You",
  noAssistant: "The assistant isn't available right now.",
  avoiding: "Avoiding:", understood: "Understood:", stopAvoiding: "Stop avoiding {x}",
  unavoided: "No longer avoiding: {x}", removed: "Removed: {x}", under: "Under {x}", mild: "Not spicy",
  notDeclared: "Not declared: {x}", withTerm: "with {x}",
  cheapest: "Cheapest", starter: "Starters", main: "Mains", dessert: "Desserts", drink: "Drinks", side: "Sides",
  empty: "Your cart is empty.", quantity: "Quantity of {x}", more: "One more {x}", less: "One less {x}",
  remove: "Remove {x}", note: "Note for the kitchen", estimate: "Estimated total", total: "Total",
  checking: "Checking prices…", place: "Place pickup order", placing: "Placing order…",
  pickup: "Pickup as soon as possible; pay when you pick up.", orderCode: "Your order code",
  newOrder: "Start a new order", orderingOff: "Online ordering isn't available right now.",
  closedNow: "The restaurant is closed, so orders can't be placed now.",
  unavailable: "No longer available: {x}. Remove to continue.", orderFailed: "The order couldn't be placed ({x}).",
  orderNetwork: "Connection lost. Try again; the order won't be placed twice.",
  tooManyItems: "At most {x} items per order.", tooExpensive: "An order can total at most {x}.",
  tooManyOpen: "You have {x} orders waiting for pickup.",
  notAvailable: "This restaurant's menu isn't available on this site.",
  loadFailed: "The menu couldn't be loaded.", retry: "Try again",
  placed: "Received", accepted: "Accepted", preparing: "Being prepared", ready: "Ready for pickup",
  picked_up: "Picked up", cancelled: "Cancelled", expired: "Expired",
};

type Strings = typeof EN;

const SV: Strings = {
  fab: "Meny", title: "Meny och beställning", close: "Stäng", menu: "Meny", assistant: "Assistent", cart: "Varukorg",
  open: "Öppet nu", closed: "Stängt", opens: "öppnar {x}", opensAt: "Den öppnar {x}.", loading: "Laddar menyn…",
  filters: "Filter", vegan: "Vegansk", vegetarian: "Vegetarisk", glutenFree: "Glutenfri", nutFree: "Nötfri",
  avoid: "Undvik en allergen…", avoidX: "Utan {x}", askStaff: "Allergener ej angivna: fråga personalen",
  contains: "Innehåller: {x}", noAllergens: "Inga angivna allergener", hidden: "Dolda av dina filter: {x}.",
  nothing: "Inga rätter matchar dina filter.", add: "Lägg till", addLabel: "Lägg {x} i varukorgen",
  added: "Lagt i varukorgen: {x}", inCart: "{x} i varukorgen", ask: "Fråga om menyn", send: "Skicka",
  typing: "Assistenten skriver…", greeting: "Hej! Fråga mig om menyn.", local: "Svarat på enheten utifrån menyn.",
  rateLimited: "För många förfrågningar. Försök igen om {x} s.",
  offline: "Assistenten går inte att nå, så svaren kommer från menyn på den här enheten.",
  chatError: "Assistenten kunde inte svara ({x}).", you: "Du",
  noAssistant: "Assistenten är inte tillgänglig just nu.",
  avoiding: "Undviker:", understood: "Uppfattat:", stopAvoiding: "Sluta undvika {x}",
  unavoided: "Undviker inte längre: {x}", removed: "Borttaget: {x}", under: "Under {x}", mild: "Inte stark",
  notDeclared: "Ej deklarerat: {x}", withTerm: "med {x}",
  cheapest: "Billigast", starter: "Förrätter", main: "Varmrätter", dessert: "Efterrätter", drink: "Drycker",
  side: "Tillbehör",
  empty: "Varukorgen är tom.", quantity: "Antal {x}", more: "En till {x}", less: "En mindre {x}",
  remove: "Ta bort {x}", note: "Meddelande till köket", estimate: "Beräknad summa", total: "Summa",
  checking: "Kontrollerar priser…", place: "Beställ för avhämtning", placing: "Skickar beställningen…",
  pickup: "Avhämtning så snart som möjligt; betala när du hämtar.", orderCode: "Ditt ordernummer",
  newOrder: "Ny beställning", orderingOff: "Beställning online är inte tillgänglig just nu.",
  closedNow: "Restaurangen är stängd, så beställningar kan inte göras nu.",
  unavailable: "Finns inte längre: {x}. Ta bort för att fortsätta.", orderFailed: "Beställningen kunde inte göras ({x}).",
  orderNetwork: "Anslutningen bröts. Försök igen; beställningen görs inte två gånger.",
  tooManyItems: "Högst {x} artiklar per beställning.", tooExpensive: "En beställning får kosta högst {x}.",
  tooManyOpen: "Du har {x} beställningar som väntar på hämtning.",
  notAvailable: "Restaurangens meny är inte tillgänglig på den här webbplatsen.",
  loadFailed: "Menyn kunde inte laddas.", retry: "Försök igen",
  placed: "Mottagen", accepted: "Accepterad", preparing: "Tillagas", ready: "Klar att hämta",
  picked_up: "Hämtad", cancelled: "Avbruten", expired: "Utgången",
};

export type Key = keyof Strings;

export const language = (locale: string): Lang => (locale.toLowerCase().startsWith("sv") ? "sv" : "en");

/** The translator for one language: t("added", "Soup") fills {x}. */
export function translator(lang: Lang): (key: Key, x?: string | number) => string {
  const table = lang === "sv" ? SV : EN;
  return (key, x = "") => (table[key] ?? key).replace("{x}", () => String(x)); // ?? key: a code with no string
}
