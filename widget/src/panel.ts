// The panel chunk's entry (build.mjs: panel.<hash>.js, an ES module): everything but the launcher,
// with the English strings. The loader (main.ts) imports it on the first interaction, or when the
// browser is idle, and calls `mount`.

export { mount } from "./app";
