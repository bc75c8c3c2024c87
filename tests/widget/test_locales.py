"""The widget's languages (widget/src/locales, one file per language, English defining the keys): every
file has exactly English's keys, each string keeps English's placeholders, and every language the widget
speaks (LANGS in widget/src/i18n.ts) has a file and allergen and tag labels in shared/vocabulary.json.
The files are read as the bundle reads them: bundled by esbuild and imported under node."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from shared import vocabulary
from tests.widget.conftest import WIDGET, run

LOCALES = WIDGET / "src" / "locales"
LANGUAGES = sorted(p.stem for p in LOCALES.glob("*.ts"))
PLACEHOLDER = re.compile(r"\{[^{}]*\}")

# Prints {"langs": LANGS, "tables": {file stem: its default export}} (run in widget/, where esbuild is).
READ = """
import { build } from "esbuild";
import { readdirSync } from "node:fs";
const names = readdirSync("src/locales").filter((f) => f.endsWith(".ts")).map((f) => f.slice(0, -3));
const entryPoints = { i18n: "src/i18n.ts" };
for (const n of names) entryPoints["locale-" + n] = `src/locales/${n}.ts`;
const { outputFiles } = await build({ entryPoints, bundle: true, write: false, format: "esm", platform: "neutral",
                                      outdir: "out", logLevel: "error" });
const load = (f) => import("data:text/javascript;base64," + Buffer.from(f.text).toString("base64"));
const out = { langs: null, tables: {} };
for (const f of outputFiles) {
  const name = f.path.split(/[\\\\/]/).pop().slice(0, -3);
  const m = await load(f);
  if (name === "i18n") out.langs = m.LANGS;
  else out.tables[name.slice("locale-".length)] = m.default;
}
process.stdout.write(JSON.stringify(out));
"""


@pytest.fixture(scope="module")
def widget_languages(widget_deps: None) -> dict[str, Any]:
    read: dict[str, Any] = json.loads(run(["node", "--input-type=module", "-e", READ], cwd=WIDGET).stdout)
    return read


def test_every_language_the_widget_speaks_has_a_file_and_no_file_is_left_out(widget_languages):
    assert "en" in LANGUAGES
    assert sorted(widget_languages["langs"]) == LANGUAGES
    assert sorted(widget_languages["tables"]) == LANGUAGES


@pytest.mark.parametrize("lang", [lang for lang in LANGUAGES if lang != "en"])
def test_a_language_has_exactly_the_english_keys(widget_languages, lang):
    en, table = widget_languages["tables"]["en"], widget_languages["tables"][lang]
    assert sorted(set(en) - set(table)) == [], f"{lang}.ts lacks these strings"
    assert sorted(set(table) - set(en)) == [], f"{lang}.ts has strings English does not"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_keeps_the_english_placeholders(widget_languages, lang):
    en, table = widget_languages["tables"]["en"], widget_languages["tables"][lang]
    wrong = {key: (table[key], en[key]) for key in en.keys() & table.keys()
             if not isinstance(table[key], str) or not table[key].strip()
             or sorted(PLACEHOLDER.findall(table[key])) != sorted(PLACEHOLDER.findall(en[key]))}
    assert wrong == {}, f"{lang}.ts: strings empty or with other placeholders than English's (got, English)"


def test_english_has_only_the_placeholder_the_translator_fills(widget_languages):
    # translator() in i18n.ts replaces the first "{x}" and nothing else
    for key, text in widget_languages["tables"]["en"].items():
        assert set(PLACEHOLDER.findall(text)) <= {"{x}"} and text.count("{x}") <= 1, key


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_allergen_and_tag_has_a_label_in_each_language(lang):
    for kind, codes in (("allergens", vocabulary.allergens()), ("tags", vocabulary.tags())):
        missing = [code for code in codes if not vocabulary.labels(kind, code).get(lang)]
        assert missing == [], f"shared/vocabulary.json: {kind} without a {lang} label"
