// Builds the widget with esbuild into OUTDIR (default: dist, the committed files); docs/widget.md:
//   widget.js          the loader: a classic script (one global, window.Stjarna) that draws the launcher
//                      and imports the chunks from its own directory (loader.ts, chunkBase)
//   panel.<hash>.js    the panel (everything else, with the English strings), an ES module
//   <lang>.<hash>.js   the strings of each other language in src/locales (sv, de, fr, es), ES modules
//   local.<hash>.js    the local responder (an ES module the panel imports when the server's assistant is
//                      off or unreachable)
//   debug.<hash>.js    when something is wrong: the four cases, the console's messages and the owner's
//                      ?stjarna-debug panel (the loader imports it when the config is refused, the panel
//                      when a request fails)
// <hash> is esbuild's content hash; the loader gets the chunks' names as CHUNKS. Every file also gets a
// .gz and a .br beside it (the server sends the one the browser accepts: shared/http/site.py).
// `node build.mjs --test NAME FILE` writes test/NAME.ts as a node program (the entries tests/widget
// runs: the local responder over tests/chat/cases.json, unit checks). Same input, same bytes.
import { build } from "esbuild";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

const here = fileURLToPath(new URL(".", import.meta.url));
const [first, second, third] = process.argv.slice(2);
const common = { absWorkingDir: here, bundle: true, charset: "utf8", legalComments: "none", logLevel: "warning" };
// browsers with constructable stylesheets (Chrome 73, Firefox 101, Safari 16.4)
const target = ["es2022", "chrome100", "firefox101", "safari16.4"];

// The panel needs only labels in the widget's own languages (src/i18n.ts) and which tags satisfy a
// diet: it gets that slice of shared/vocabulary.json; the local responder's chunk gets the whole file.
const UI_LANGUAGES = ["en", "sv", "de", "fr", "es"];
const uiVocabulary = {
  name: "ui-vocabulary",
  setup(b) {
    b.onLoad({ filter: /[\\/]shared[\\/]vocabulary\.json$/ }, (args) => {
      const v = JSON.parse(readFileSync(args.path, "utf8"));
      const labels = (section) => Object.fromEntries(Object.entries(section).map(
        ([code, byLang]) => [code, Object.fromEntries(UI_LANGUAGES.map((lang) => [lang, byLang[lang]]))]));
      const diets = Object.fromEntries(Object.entries(v.diets).map(([code, d]) => [code, { satisfiedBy: d.satisfiedBy }]));
      return { loader: "json", contents: JSON.stringify({ allergens: labels(v.allergens), tags: labels(v.tags), diets }) };
    });
  },
};

/** Build ES-module chunks named <entry>.<hash>.js; their file names by entry. */
async function chunks(entryPoints, outdir, extra = {}) {
  const out = await build({ ...common, entryPoints, entryNames: "[name].[hash]", outdir, format: "esm", minify: true,
                            target, metafile: true, ...extra });
  return Object.fromEntries(Object.entries(out.metafile.outputs).map(([path, o]) => [basename(o.entryPoint ?? path)
    .replace(/\.ts$/, ""), basename(path)]));
}

if (first === "--test") {
  await build({ ...common, entryPoints: [`test/${second}.ts`], platform: "node", format: "esm", target: "node20",
                outfile: resolve(third) });
} else {
  const outdir = resolve(here, first ?? "dist");
  mkdirSync(outdir, { recursive: true });
  for (const name of readdirSync(outdir)) {
    if (/^[a-z]+(\.[A-Za-z0-9]+)?\.js(\.gz|\.br)?$/.test(name)) rmSync(resolve(outdir, name));
  }
  const languages = readdirSync(resolve(here, "src/locales")).map((f) => f.replace(/\.ts$/, ""))
    .filter((lang) => UI_LANGUAGES.includes(lang) && lang !== "en").sort();
  const names = {
    ...await chunks(Object.fromEntries(languages.map((lang) => [lang, `src/locales/${lang}.ts`])), outdir),
    ...await chunks({ local: "src/chat/local.ts", debug: "src/debug.ts" }, outdir),
  };
  const { local, debug } = names;
  delete names.local;
  Object.assign(names, await chunks({ panel: "src/panel.ts" }, outdir, {
    define: { LOCAL_CHUNK: JSON.stringify(local), DEBUG_CHUNK: JSON.stringify(debug) }, plugins: [uiVocabulary] }));
  await build({
    ...common, entryPoints: ["src/main.ts"], outfile: resolve(outdir, "widget.js"), format: "iife", minify: true, target,
    define: { CHUNKS: JSON.stringify(names) },
  });
  // pre-compressed copies: the best each encoding does (files change only with a build)
  for (const name of readdirSync(outdir).filter((n) => n.endsWith(".js"))) {
    const body = readFileSync(resolve(outdir, name));
    writeFileSync(resolve(outdir, name + ".gz"), gzipSync(body, { level: 9 }));
    writeFileSync(resolve(outdir, name + ".br"), brotliCompressSync(body, { params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length } }));
  }
}
