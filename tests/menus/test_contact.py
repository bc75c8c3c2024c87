"""The restaurant's contact fields as the menu document reads them: phone numbers to E.164 (national ones
in the locale's country), plain-text addresses, http(s) websites; each refusal names restaurant.<field>."""

from __future__ import annotations

import pytest

from shared.errors import ValidationFailed
from shared.menus.contact import e164_phone, plain_address, region_of_locale, web_address
from shared.menus.document import parse_document


def restaurant(**fields: object) -> dict[str, object]:
    return {"slug": "bistro-nord", "name": "Bistro Nord", "currency": "SEK", "locale": "sv-SE",
            "timezone": "Europe/Stockholm", **fields}


def parsed(**fields: object) -> dict[str, object]:
    document = parse_document({"restaurant": restaurant(**fields)}).to_store()
    return document["restaurant"]  # type: ignore[no-any-return]


def refusal(**fields: object) -> tuple[list[str], str]:
    with pytest.raises(ValidationFailed) as info:
        parse_document({"restaurant": restaurant(**fields)})
    return [e["path"] for e in info.value.errors], " ".join(e["message"] for e in info.value.errors)


@pytest.mark.parametrize(("locale", "region"), [
    ("sv-SE", "SE"), ("en-se", "SE"), ("en-GB", "GB"), ("zh-Hant-TW", "TW"), ("sv", None), ("en", None),
    ("es-419", None), (None, None),
])
def test_the_country_comes_from_the_locale_region(locale, region):
    assert region_of_locale(locale) == region


@pytest.mark.parametrize(("written", "locale", "stored"), [
    ("070-174 06 42", "sv-SE", "+46701740642"),  # national, Sweden from the locale
    ("08-465 004 42", "sv-SE", "+46846500442"),
    ("(070) 1740642", "en-SE", "+46701740642"),
    ("0046 70 174 06 42", "sv-SE", "+46701740642"),  # Sweden's international prefix
    ("020 7946 0123", "en-GB", "+442079460123"),  # the same digits read in another country
    ("+46 70 174 06 42", "en", "+46701740642"),  # international: no region needed
    ("+44 20 7946 0123", "sv-SE", "+442079460123"),  # a country code wins over the locale
    ("tel:+46-70-174-06-42", "sv", "+46701740642"),
])
def test_phone_numbers_are_stored_as_e164(written, locale, stored):
    assert e164_phone(written, locale) == stored
    assert parsed(locale=locale, phone=written)["phone"] == stored


@pytest.mark.parametrize(("written", "locale", "fragment"), [
    ("070-174 06 42", "sv", "names no country"),  # national, and no region to read it in
    ("070-174 06 42", "es-419", "names no country"),
    ("070-174 06 42", "en-XX", "no phone numbering plan"),
    ("12345", "sv-SE", "not a valid phone number in SE"),
    ("+46 70 174", "sv-SE", "not a valid phone number"),
    ("+999 1234 5678", "sv-SE", "country code is unknown"),
    ("call us", "sv-SE", "not a phone number in SE"),
    ("070-174 06 42 ext. 12", "sv-SE", "extension"),
    ("+46 70 174 06 42\u202e", "sv-SE", "U+202E"),  # a bidi override
    ("+46 70 174 06 42" + " 0" * 20, "sv-SE", "at most 40"),
])
def test_invalid_phone_numbers_are_refused_at_their_path(written, locale, fragment):
    paths, message = refusal(locale=locale, phone=written)
    assert paths == ["restaurant.phone"] and fragment in message, message


@pytest.mark.parametrize(("written", "stored"), [
    ("Exempelgatan 12, 111 22 Stockholm", "Exempelgatan 12, 111 22 Stockholm"),
    ("  Exempelgatan 12\r\n\n  111 22   Stockholm  \n", "Exempelgatan 12\n111 22 Stockholm"),
    ("Exempelgatan\t12\nSödermalm\n111 22 Stockholm\nSverige", "Exempelgatan 12\nSödermalm\n111 22 Stockholm\nSverige"),
    ("Ōsaka 大阪市北区 1-2-3", "Ōsaka 大阪市北区 1-2-3"),
])
def test_addresses_are_tidy_plain_text(written, stored):
    assert plain_address(written) == stored
    assert parsed(address=written)["address"] == stored


@pytest.mark.parametrize(("written", "fragment"), [
    ("Exempelgatan 12\u202e mlohkcotS", "U+202E"),  # right-to-left override: reorders what diners read
    ("Exempelgatan 12\u2066x\u2069", "U+2066"),  # an isolate
    ("Exempel\u200bgatan 12", "U+200B"),  # zero-width space
    ("Exempelgatan 12\x00", "U+0000"),
    ("Exempelgatan 12\x1b[31m", "U+001B"),  # a terminal escape
    ("Exempelgatan 12\u2028111 22 Stockholm", "U+2028"),  # a line separator that is not \n
    ("a\nb\nc\nd\ne", "at most 4 lines"),
    ("x" * 201, "at most 200"),
])
def test_addresses_with_control_or_bidi_characters_are_refused(written, fragment):
    paths, message = refusal(address=written)
    assert paths == ["restaurant.address"] and fragment in message, message


@pytest.mark.parametrize(("written", "stored"), [
    ("https://bistronord.se", "https://bistronord.se"),
    ("HTTPS://BistroNord.SE/Meny?lang=sv#lunch", "https://bistronord.se/Meny?lang=sv#lunch"),
    ("http://bistro-nord.example:8080/", "http://bistro-nord.example:8080/"),
    ("https://café.example/", "https://café.example/"),
    ("https://xn--caf-dma.example", "https://xn--caf-dma.example"),
])
def test_websites_are_absolute_http_urls(written, stored):
    assert web_address(written) == stored
    assert parsed(website=written)["website"] == stored


@pytest.mark.parametrize(("written", "fragment"), [
    ("bistronord.se", "https:// or http://"),
    ("javascript:alert(1)", "https:// or http://"),
    ("ftp://bistronord.se", "https:// or http://"),
    ("https://", "https:// or http://"),
    ("https://user:secret@bistronord.se", "user name or password"),
    ("https://localhost/", "no valid host name"),
    ("https://10.0.0.1/", "no valid host name"),
    ("https://-bad-.example/", "no valid host name"),
    ("https://bistronord.se:99999/", "not an absolute URL"),
    ("https://bistro nord.se", "no spaces"),
    ("https://bistronord.se/\u202egnp.exe", "no spaces, control or formatting"),
    ("https://bistronord.se/" + "a" * 300, "at most 300"),
])
def test_bad_websites_are_refused_at_their_path(written, fragment):
    paths, message = refusal(website=written)
    assert paths == ["restaurant.website"] and fragment in message, message


def test_the_fields_are_optional_and_empty_means_unset():
    assert {k: parsed()[k] for k in ("address", "phone", "website")} == {"address": None, "phone": None,
                                                                          "website": None}
    blank = parsed(address=" \n ", phone="  ", website="")
    assert (blank["address"], blank["phone"], blank["website"]) == (None, None, None)


def test_a_bad_locale_is_reported_once_not_as_a_phone_error_too():
    paths, _ = refusal(locale="Swedish please", phone="+46 70 174 06 42")
    assert paths == ["restaurant.locale"]
