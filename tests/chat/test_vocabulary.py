"""shared/vocabulary.json is complete for every language it claims: labels and sentences exist where
answers need them, and every allergen's label, typed alone, is understood as that allergen."""

from __future__ import annotations

import re

import pytest

from shared import vocabulary
from shared.chat.constraints import parse
from shared.chat.lexicon import lexicon
from shared.paths import REPO_ROOT

LANGS = vocabulary.chat_section("languages")
UNDERSTOOD, REPLIES = LANGS["understood"], LANGS["replies"]


def test_replies_are_a_subset_of_the_understood_languages():
    assert set(REPLIES) <= set(UNDERSTOOD) and UNDERSTOOD[:2] == ["en", "sv"]
    assert lexicon().languages == tuple(UNDERSTOOD)


@pytest.mark.parametrize("lang", UNDERSTOOD)
def test_every_understood_language_has_its_words(lang):
    for code in vocabulary.EU14_ORDER:
        assert vocabulary.labels("allergens", code).get(lang), (code, lang)
    for key in ("allergyIntent", "exclusion", "languageHints"):
        assert vocabulary.chat_section(key).get(lang), (key, lang)
    for key in ("before", "after", "connectors"):
        assert vocabulary.chat_section("negation")[key].get(lang), (key, lang)
    for group in vocabulary.chat_section("allergenWords"):
        assert group.get(lang), (group["codes"], lang)
    for code, words in vocabulary.chat_section("dietWords").items():
        assert words.get(lang), (code, lang)


@pytest.mark.parametrize("lang", UNDERSTOOD)
def test_every_allergen_label_typed_alone_is_that_allergen(lang):
    for code in vocabulary.EU14_ORDER:
        label = vocabulary.labels("allergens", code)[lang]
        c = parse(label)
        assert code in c.avoid and not c.ask_allergen, (lang, label, c.avoid)


@pytest.mark.parametrize("lang", REPLIES)
def test_every_reply_language_has_every_sentence_and_label(lang):
    assert set(vocabulary.chat_section("replies")[lang]) == set(vocabulary.chat_section("replies")["en"])
    for code in vocabulary.chat_section("diets"):
        assert vocabulary.chat_section("diets")[code]["label"][lang]
    for course in vocabulary.chat_section("courses").values():
        assert course["label"][lang] and course["chip"][lang]
    for code in vocabulary.tags():
        assert vocabulary.labels("tags", code)[lang]
    chips = vocabulary.chat_section("chips")
    for key in ("cheapest", "under", "mild", "spicy", "reset"):
        assert chips[key][lang]
    for group in ("diet", "avoid"):
        assert all(chip[lang] for chip in chips[group].values())
    assert all(group[lang] for group in vocabulary.chat_section("avoidGroups"))


def test_the_eu14_list_is_the_databases():
    """The allergen codes come from vocabulary.json; the items table's check constraint must list the
    same codes in the same (the regulation's) order."""
    sql = (REPO_ROOT / "infra" / "migrations" / "0001_core.sql").read_text(encoding="utf-8")
    listed = re.search(r"allergens\s+text\[\][^;]*?check \(allergens <@ array\[(.*?)\]", sql, re.DOTALL)
    assert listed is not None
    assert tuple(re.findall(r"'([a-z]+)'", listed.group(1))) == vocabulary.EU14_ORDER
    assert len(vocabulary.EU14_ORDER) == 14
