"""A restaurant's contact fields in the menu document: address, phone and website.

Each check returns the value as stored (or ``None`` for an empty one) and raises ``ValueError`` with
a message for the diner-facing field's path (the document model reports it as ``restaurant.phone``).
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

ADDRESS_MAX = 200
ADDRESS_MAX_LINES = 4
PHONE_MAX = 40
WEBSITE_MAX = 300
E164_PATTERN = r"^\+[1-9][0-9]{6,14}$"

# Unicode categories refused in diner-facing plain text: controls (Cc; a line break is allowed in an
# address only), format characters (Cf: the bidi embeddings, overrides and isolates, zero-width
# characters, which could reorder or hide what the diner reads), line and paragraph separators,
# surrogates and private use.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})
_HOST_LABEL = re.compile(r"^(?!-)[^\W_](?:[\w-]{0,61}[^\W_])?$")


def _refused_character(text: str, allowed: str = "") -> str | None:
    for ch in text:
        if ch not in allowed and unicodedata.category(ch) in _REFUSED_CATEGORIES:
            return f"U+{ord(ch):04X}"
    return None


def plain_address(value: str | None) -> str | None:
    """One line or a few (at most ``ADDRESS_MAX_LINES``, joined by ``\\n``), each trimmed, blank lines
    dropped; plain text: no control, bidi or other invisible formatting characters."""
    if value is None:
        return None
    bad = _refused_character(value, allowed="\n\r\t")
    if bad is not None:
        raise ValueError(f"plain text only: the character {bad} (a control, bidi or invisible formatting "
                         "character) is not allowed")
    lines = [" ".join(line.split()) for line in value.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [line for line in lines if line]
    if len(lines) > ADDRESS_MAX_LINES:
        raise ValueError(f"at most {ADDRESS_MAX_LINES} lines, e.g. \"Storgatan 1\\n111 22 Stockholm\"")
    text = "\n".join(lines)
    if len(text) > ADDRESS_MAX:
        raise ValueError(f"at most {ADDRESS_MAX} characters")
    return text or None


def region_of_locale(locale: str | None) -> str | None:
    """The country of a BCP 47 locale (``sv-SE`` -> ``SE``, ``zh-Hant-TW`` -> ``TW``), or ``None``
    when it names none (``en``, ``es-419``)."""
    if not locale:
        return None
    for subtag in locale.split("-")[1:]:
        if len(subtag) == 2 and subtag.isascii() and subtag.isalpha():
            return subtag.upper()
    return None


def e164_phone(value: str | None, locale: str | None) -> str | None:
    """A valid phone number as E.164 (``+46701740642``). A number written without its ``+`` country
    code is read as a national number of the country of ``locale`` (``sv-SE``: Sweden)."""
    if value is None or not value.strip():
        return None
    import phonenumbers

    if len(value) > PHONE_MAX:
        raise ValueError(f"at most {PHONE_MAX} characters, e.g. +46 70 174 06 42")
    bad = _refused_character(value)
    if bad is not None:
        raise ValueError(f"a phone number such as +46 70 174 06 42: the character {bad} (a control or "
                         "formatting character) is not allowed")
    international = re.match(r"^\D*\+", value) is not None  # a + before the first digit (also tel:+46…)
    region = None if international else region_of_locale(locale)
    if not international and region is None:
        raise ValueError(f"{value!r} has no country code and restaurant.locale ({locale!r}) names no country: "
                         "write it as +<country code> <number> (+46 70 174 06 42), or give the locale a "
                         "region (sv-SE)")
    if region is not None and region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{value!r} has no country code and the locale's region {region!r} has no phone "
                         "numbering plan: write it as +<country code> <number>")
    where = "" if region is None else f" in {region} (from restaurant.locale)"
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as exc:
        why = {exc.INVALID_COUNTRY_CODE: "its country code is unknown", exc.TOO_LONG: "too long",
               exc.TOO_SHORT_NSN: "too short", exc.TOO_SHORT_AFTER_IDD: "too short"}.get(exc.error_type)
        raise ValueError(f"{value!r} is not a phone number{where}" + (f": {why}" if why else "")) from None
    if number.extension:
        raise ValueError(f"{value!r} has an extension, which a diner's phone cannot dial: "
                         "give the number without it")
    if not phonenumbers.is_valid_number(number):
        raise ValueError(f"{value!r} is not a valid phone number{where}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def web_address(value: str | None) -> str | None:
    """An absolute ``https://`` or ``http://`` URL with a host name, no credentials, at most
    ``WEBSITE_MAX`` characters; the scheme and host lower-cased, the rest kept as written."""
    if value is None or not value.strip():
        return None
    example = "an absolute URL such as https://bistronord.se"
    if len(value) > WEBSITE_MAX:
        raise ValueError(f"at most {WEBSITE_MAX} characters")
    if _refused_character(value) is not None or any(ch.isspace() for ch in value):
        raise ValueError(f"{example}: no spaces, control or formatting characters")
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise ValueError(f"{value!r} is not {example}") from None
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(f"{value!r} is not {example} (https:// or http://)")
    if parts.username is not None or parts.password is not None:
        raise ValueError(f"{value!r}: a website address may not carry a user name or password")
    host = (parts.hostname or "").rstrip(".")
    labels = host.split(".")
    if len(labels) < 2 or not all(_HOST_LABEL.match(label) for label in labels) or labels[-1].isdigit():
        raise ValueError(f"{value!r} has no valid host name: {example}")
    netloc = host if port is None else f"{host}:{port}"
    return f"{scheme}://{netloc}{value[len(parts.scheme) + 3 + len(parts.netloc):]}"
