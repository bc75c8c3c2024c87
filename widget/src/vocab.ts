// The parts of shared/vocabulary.json the main bundle needs: labels and which tags satisfy a diet.
// (The chat vocabulary goes with the local responder, a separate chunk loaded when needed.)

import { allergens, diets, tags } from "../../shared/vocabulary.json";

/** The EU-14 codes in the regulation's order (the vocabulary file lists them so). */
export const EU14 = Object.keys(allergens);

export const allergenLabel = (code: string, lang: "en" | "sv"): string =>
  allergens[code as keyof typeof allergens]?.[lang] ?? code;

export const tagLabel = (code: string, lang: "en" | "sv"): string => tags[code as keyof typeof tags]?.[lang] ?? code;

/** The tags that satisfy a diet (vegetarian: vegetarian or vegan). */
export const satisfiedBy = (diet: string): string[] => diets[diet as keyof typeof diets]?.satisfiedBy ?? [diet];
