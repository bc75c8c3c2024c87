// Entry point: read and validate the <script> tag's attributes, then mount the widget once the page
// has a body. Everything lives inside this bundle's closure: no globals.

import { mount, report } from "./app";
import { readOptions } from "./loader";

const script = document.currentScript as HTMLScriptElement | null;
if (!script) {
  report("could not find its own <script> tag; load widget.js with a plain <script src=…> (not as a module).");
} else {
  const { options, errors, warnings } = readOptions(script, navigator.language);
  warnings.forEach((w) => console.warn("[stjarna] " + w));
  errors.forEach(report);
  if (options) {
    if (document.querySelector(`stjarna-widget[data-restaurant="${options.restaurantId}"]`)) {
      console.warn(`[stjarna] the widget for ${options.restaurantId} is already on this page; ignoring the second <script>.`);
    } else if (document.body) {
      mount(options);
    } else {
      document.addEventListener("DOMContentLoaded", () => mount(options), { once: true });
    }
  }
}
