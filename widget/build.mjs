// Builds the widget with esbuild into OUTDIR (default: dist, the committed bundle):
//   widget.js          the loader and the UI (one classic script, no globals)
//   local.<hash>.js    the local responder (an ES module the widget imports from the API when the
//                      server's assistant is off or unreachable), named by esbuild's content hash
// `node build.mjs --test NAME FILE` writes test/NAME.ts as a node program (the entries tests/widget
// runs: the local responder over tests/chat/cases.json, unit checks). Same input, same bytes.
import { build } from "esbuild";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { basename, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const [first, second, third] = process.argv.slice(2);
const common = { absWorkingDir: here, bundle: true, charset: "utf8", legalComments: "none", logLevel: "warning" };
// browsers with constructable stylesheets (Chrome 73, Firefox 101, Safari 16.4)
const target = ["es2022", "chrome100", "firefox101", "safari16.4"];

// The main bundle needs only labels in the widget's own languages (src/i18n.ts) and which tags satisfy a
// diet: it gets that slice of shared/vocabulary.json; the local responder's chunk gets the whole file.
const UI_LANGUAGES = ["en", "sv"];
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

if (first === "--test") {
  await build({ ...common, entryPoints: [`test/${second}.ts`], platform: "node", format: "esm", target: "node20",
                outfile: resolve(third) });
} else {
  const outdir = resolve(here, first ?? "dist");
  mkdirSync(outdir, { recursive: true });
  for (const name of readdirSync(outdir)) {
    if (/^(widget|local\..*)\.js$/.test(name)) rmSync(resolve(outdir, name));
  }
  const chunk = await build({
    ...common, entryPoints: { local: "src/chat/local.ts" }, entryNames: "[name].[hash]", outdir, format: "esm",
    minify: true, target, metafile: true,
  });
  const chunkName = basename(Object.keys(chunk.metafile.outputs)[0]);
  await build({
    ...common, entryPoints: ["src/main.ts"], outfile: resolve(outdir, "widget.js"), format: "iife", minify: true, target,
    define: { LOCAL_CHUNK: JSON.stringify(chunkName) }, plugins: [uiVocabulary],
  });
}
