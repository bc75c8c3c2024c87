// The parts of shared/vocabulary.json the main bundle needs: labels and which tags satisfy a diet.
// (The chat vocabulary goes with the local responder, a separate chunk loaded when needed.)

import { allergens, diets, tags } from "../../shared/vocabulary.json";
import type { Lang } from "./i18n";

/** The EU-14 codes in the regulation's order (the vocabulary file lists them so). */
export const EU14 = Object.keys(allergens);

type Labels = Partial<Record<Lang, string>> | undefined;

/** A label in the widget's language (build.mjs keeps those), else English, else the code. */
export const allergenLabel = (code: string, lang: Lang): string => {
  const l: Labels = allergens[code as keyof typeof allergens];
  return l?.[lang] ?? l?.en ?? code;
};

export const tagLabel = (code: string, lang: Lang): string => {
  const l: Labels = tags[code as keyof typeof tags];
  return l?.[lang] ?? l?.en ?? code;
};

/** The tags that satisfy a diet (vegetarian: vegetarian or vegan). */
export const satisfiedBy = (diet: string): string[] => diets[diet as keyof typeof diets]?.satisfiedBy ?? [diet];
