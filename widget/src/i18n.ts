// The widget's languages. The strings are one file per language in ./locales: en.ts defines the keys
// (Strings), every other file is `export default { ...the same keys... } satisfies Strings`. English
// is bundled into the panel chunk; each other language is a chunk of its own (build.mjs), imported
// with the panel. The language: data-locale, else the page's <html lang>, else the browser's
// (loader.ts); a language the widget does not speak is English. Allergen and tag labels come from
// shared/vocabulary.json (vocab.ts). This module holds no strings: the loader imports it.

import type EN from "./locales/en";

/** The languages the widget speaks (a file in ./locales each). */
export const LANGS = ["en", "sv", "de", "fr", "es"] as const;
export type Lang = (typeof LANGS)[number];

export type Strings = { [K in keyof typeof EN]: string };
export type Key = keyof Strings;

/** The widget's language for a BCP 47 tag: "sv-SE" is sv, "pt-BR" (not spoken) is en. */
export const language = (locale: string): Lang => {
  const base = locale.toLowerCase().split(/[-_]/)[0];
  return LANGS.find((l) => l === base) ?? "en";
};

/** The translator over one language's table (English fills any key it lacks): t("added", "Soup") fills {x}. */
export function translator(table: Strings, fallback: Strings): (key: Key, x?: string | number) => string {
  return (key, x = "") => (table[key] ?? fallback[key] ?? key).replace("{x}", () => String(x)); // ?? key: a code with no string
}
