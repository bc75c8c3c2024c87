// Builds the staff console with esbuild into OUTDIR (default: dist, the committed build):
//   console.js    the app (one classic script, no globals) with its stylesheet (src/console.css, minified,
//                 adopted by the document as a constructable stylesheet: the page has no <style> or <link>)
// The console has no npm dependencies of its own: it uses the widget's toolchain (widget/node_modules,
// installed by `scripts/build-widget --deps`), so one `npm ci` serves both. Same input, same bytes.
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = fileURLToPath(new URL(".", import.meta.url));
const { build } = createRequire(resolve(here, "../widget/package.json"))("esbuild");
const outdir = resolve(here, process.argv[2] ?? "dist");
const common = { absWorkingDir: here, bundle: true, charset: "utf8", legalComments: "none", logLevel: "warning",
                 minify: true, target: ["es2022", "chrome100", "firefox101", "safari16.4"] };

mkdirSync(outdir, { recursive: true });
for (const name of readdirSync(outdir)) {
  if (/^console\.(js|css)$/.test(name)) rmSync(resolve(outdir, name));
}
const css = await build({ ...common, entryPoints: ["src/console.css"], write: false, outfile: "console.css" });
await build({ ...common, entryPoints: ["src/main.ts"], outfile: resolve(outdir, "console.js"), format: "iife",
              define: { CONSOLE_CSS: JSON.stringify(css.outputFiles[0].text.trim()) } });
