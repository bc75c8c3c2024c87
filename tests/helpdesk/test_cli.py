"""`stjarna tenant show|items|create` and `stjarna cache purge` as support runs them, against a real
database: the report, --json, and bad input (clear message, non-zero exit, nothing changed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import orjson
import pytest

from tests.conftest import seed_documents

EMBED = ('<script src="{api}/widget.js" data-restaurant-id="{slug}" data-endpoint="{api}" async></script>')


@pytest.fixture
def state(sql):
    """Everything a refused command must leave as it was."""
    return lambda: sql("select slug, status, menu_version, allowed_origins, updated_at from restaurants order by slug"
                       ) + sql("select count(*) from audit_log") + sql("select count(*) from menu_items")


def test_show_prints_the_tenant(support, run):
    code, out, err = run("tenant", "show", "demo")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("demo: Stjärna Demo Kitchen (")
    rows = lines[1:lines.index("")]
    fields = {line.split("  ", 1)[0].strip(): line.split("  ", 1)[1].strip() for line in rows}
    assert fields["status"] == "live (public), plan starter"
    assert fields["address"] == "Exempelgatan 12, 111 22 Stockholm"
    assert fields["phone"] == "+46701740642" and fields["website"] == "https://demo.stjarna.dev"
    assert fields["hours"].startswith("open now (") and fields["hours"].endswith("timezone Europe/Stockholm")
    assert fields["origins"] == "http://localhost:8000, http://127.0.0.1:8000, https://*.stjarna.dev"
    assert fields["items"] == ("16 in 5 section(s) (4 active): 16 available, 15 published, 6 vegan-tagged, "
                               "1 with undeclared allergens")
    assert fields["orders today"].startswith("0 since 00:00 ")
    assert fields["menu"].startswith("version ") and "last change" in fields["menu"]
    assert "USE_SERVER_CHAT              true                default" in out
    assert out.rstrip().endswith("recent admin changes: none")


def test_show_has_no_contact_rows_for_a_restaurant_without_them(support, run):
    code, out, _ = run("tenant", "show", "nattbaren")
    rows = out.splitlines()[1:out.splitlines().index("")]
    assert code == 0 and [row.split()[0] for row in rows] == [
        "status", "hours", "locale", "origins", "menu", "items", "orders"]
    code, out, _ = run("tenant", "show", "demo", "--json")
    data = orjson.loads(out)
    assert (data["address"], data["phone"], data["website"]) == (
        "Exempelgatan 12\n111 22 Stockholm", "+46701740642", "https://demo.stjarna.dev")


def test_show_json_and_audit_after_a_purge(support, run):
    assert run("cache", "purge", "demo", "--actor", "anna")[0] == 0
    code, out, _ = run("tenant", "show", "demo", "--json")
    data = orjson.loads(out)
    assert code == 0 and data["slug"] == "demo" and data["public"] is True
    assert data["flags"]["ORDERING_ENABLED"] == {"value": True, "source": "default"}
    assert [(a["actor"], a["action"]) for a in data["audit"]] == [("cli:anna", "cache.purge")]
    code, out, _ = run("tenant", "show", "demo")
    assert "recent admin changes:" in out and "cli:anna  cache.purge" in out


def test_show_a_suspended_restaurant(support, variants, run):
    code, out, _ = run("tenant", "show", variants["suspended-place"])
    assert code == 0
    assert "suspended (not public: the widget cannot load it)" in out and "0 published" in out


def test_items_answer_why_a_vegan_item_is_missing(support, run):
    code, out, err = run("tenant", "items", "demo", "--tag", "vegan")
    assert code == 0, err
    assert "shown (tagged vegan): 6 item(s)" in out
    assert "not shown (tagged vegan): 10 item(s)" in out
    assert "seasonal  Semla                   section 'seasonal' is inactive; not tagged vegan" in out
    code, out, _ = run("tenant", "items", "demo", "--allergen-free", "nuts", "--allergen-free", "peanuts")
    assert "Chef's daily special   allergens not declared: never offered as free of anything" in out
    assert "Green curry with tofu  contains peanuts" in out
    code, out, _ = run("tenant", "items", "demo", "--undeclared", "--json")
    data = orjson.loads(out)
    assert [i["key"] for i in data["shown"]] == ["daily-special"] and data["unlisted"] == 15
    code, out, _ = run("tenant", "items", "demo", "--undeclared")
    assert "not declared (ask staff)" in out and "(15 item(s) with declared allergens are not listed)" in out


@pytest.mark.parametrize(("argv", "needle"), [
    (("tenant", "items", "demo", "--tag", "vegn"), "tag: unknown tag 'vegn'; valid: vegan, vegetarian,"),
    (("tenant", "items", "demo", "--allergen-free", "shrimp"),
     "unknown allergen 'shrimp'; valid: gluten, crustaceans,"),
    (("tenant", "items", "nowhere", "--tag", "vegan"), "RESTAURANT_NOT_FOUND: No restaurant 'nowhere'"),
    (("tenant", "show", "nowhere"), "RESTAURANT_NOT_FOUND: No restaurant 'nowhere'"),
    (("tenant", "show", "Not A Slug!"), "RESTAURANT_ID_INVALID"),
    (("cache", "purge", "nowhere"), "RESTAURANT_NOT_FOUND: No restaurant 'nowhere'"),
    (("tenant", "create", "--slug", "demo", "--name", "Demo", "--origin", "https://x.example"),
     "CONFLICT: A restaurant with slug 'demo' exists (live, 16 items); add --update"),
    (("tenant", "create", "--slug", "new-place", "--name", "New", "--origin", "their-site.example"),
     "restaurant.allowedOrigins: 'their-site.example' is not an origin like https://site.example"),
    (("tenant", "create", "--slug", "new-place", "--name", "New", "--origin", "https://x.example/path"),
     "is not an origin"),
    (("tenant", "create", "--slug", "new-place", "--name", "New"), "allowedOrigins: at least one website origin"),
    (("tenant", "create", "--slug", "new-place", "--origin", "https://x.example"), "name: required to create"),
    (("tenant", "create", "--slug", "New Place", "--name", "New", "--origin", "https://x.example"), "slug: a-z"),
    (("tenant", "create", "--slug", "new-place", "--name", "New", "--origin", "https://x.example",
      "--currency", "kronor"), "restaurant.currency"),
    (("tenant", "create", "--slug", "new-place", "--name", "New", "--origin", "https://x.example",
      "--timezone", "Mars/Olympus"), "unknown IANA time zone 'Mars/Olympus'"),
    (("tenant", "create", "--slug", "new-place", "--name", "New", "--origin", "https://x.example",
      "--endpoint", "not a url"), "endpoint: 'not a url' is not an API base URL"),
])
def test_bad_input_is_refused_with_the_reason_and_changes_nothing(support, run, state, argv, needle):
    before = state()
    code, out, err = run(*argv)
    assert code == 1 and out == ""
    assert needle in err
    assert state() == before


def test_create_a_live_restaurant_from_a_menu_file(support, run, tmp_path, sql, monkeypatch):
    monkeypatch.setenv("STJARNA_API_URL", "https://api.stjarna.dev/")
    menu = tmp_path / "menu.json"
    menu.write_text(json.dumps({
        "restaurant": {"slug": "something-else", "hours": {"fri": [["17:00", "02:00"]]}, "greeting": "Hej!"},
        "sections": [{"name": "Mains", "items": [
            {"name": "Vegan burger", "priceCents": 17500, "allergens": ["gluten"], "allergensDeclared": True,
             "tags": ["vegan"]}]}]}))
    code, out, err = run("tenant", "create", "--slug", "bistro-nord", "--name", "Bistro Nord",
                         "--origin", "https://Bistronord.se", "--origin", "https://*.bistronord.se",
                         "--currency", "EUR", "--menu", str(menu), "--actor", "sara")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("created bistro-nord (") and ": live, menu version " in lines[0]
    assert lines[0].endswith(", 1 section(s), 1 item(s)")
    assert "allowed origins: https://bistronord.se, https://*.bistronord.se" in out
    assert "note: the menu file's restaurant.slug 'something-else' is ignored" in out
    assert EMBED.format(api="https://api.stjarna.dev", slug="bistro-nord") in lines
    assert "stjarna tenant check bistro-nord --origin https://bistronord.se --endpoint https://api.stjarna.dev" in out
    assert sql("select status, currency, timezone, locale, hours, greeting from restaurants where slug = 'bistro-nord'"
               ) == [("live", "EUR", "Europe/Stockholm", "en", {"fri": [["17:00", "02:00"]]}, "Hej!")]
    assert sql("select actor, action, details->>'status' from audit_log") == [("cli:sara", "tenant.create", "live")]
    menu_body = support.rpc("stjarna_public_menu", {"p_restaurant_id": sql(
        "select id from restaurants where slug = 'bistro-nord'")[0][0]})
    assert [i["name"] for i in menu_body["sections"][0]["items"]] == ["Vegan burger"]


def test_create_without_a_menu_is_a_draft_and_update_publishes_it(support, run, tmp_path, sql):
    code, out, _ = run("tenant", "create", "--slug", "new-place", "--name", "New Place", "--origin",
                       "https://new.example", "--json", "--endpoint", "http://127.0.0.1:8000")
    created = orjson.loads(out)
    assert code == 0 and created["created"] is True and created["status"] == "draft"
    assert created["embed"] == EMBED.format(api="http://127.0.0.1:8000", slug="new-place")
    assert any(n.startswith("draft: not public until it has menu items") for n in created["notes"])
    assert any(n.startswith("no opening hours") for n in created["notes"])
    menu = tmp_path / "menu.json"
    menu.write_text(json.dumps({"sections": [{"name": "Fika", "items": [{"name": "Bun", "priceCents": 3500}]}]}))
    code, out, err = run("tenant", "create", "--slug", "new-place", "--update", "--menu", str(menu))
    assert code == 0, err
    assert out.startswith("updated new-place (") and ": live, menu version" in out
    assert sql("select name, status, allowed_origins from restaurants where slug = 'new-place'") == [
        ("New Place", "live", ["https://new.example"])]  # what was not given stayed
    code, out, _ = run("tenant", "create", "--slug", "new-place", "--update", "--origin", "https://a.example",
                       "--origin", "https://b.example")
    assert code == 0 and sql("select allowed_origins, status from restaurants where slug = 'new-place'") == [
        (["https://a.example", "https://b.example"], "live")]
    assert sql("select count(*) from menu_items i join restaurants r on r.id = i.restaurant_id "
               "where r.slug = 'new-place'") == [(1,)]  # an update without --menu keeps the menu
    assert [a for (a,) in sql("select action from audit_log order by id")] == [
        "tenant.create", "tenant.update", "tenant.update"]


def test_update_never_unsuspends(support, variants, run, sql):
    code, out, _ = run("tenant", "create", "--slug", "suspended-place", "--update", "--origin", "https://x.example")
    assert code == 0 and "note: suspended: not public; its status was left as it is" in out
    assert sql("select status from restaurants where slug = 'suspended-place'") == [("suspended",)]


def test_an_update_keeps_the_contact_fields_and_a_menu_file_can_change_them(support, run, tmp_path, sql):
    code, _, err = run("tenant", "create", "--slug", "demo", "--update", "--origin", "https://demo.example")
    assert code == 0, err
    assert sql("select address, phone, website from restaurants where slug = 'demo'") == [
        ("Exempelgatan 12\n111 22 Stockholm", "+46701740642", "https://demo.stjarna.dev")]
    menu = tmp_path / "menu.json"
    sections = seed_documents()[0]["sections"]  # demo's own menu
    menu.write_text(json.dumps({"restaurant": {"phone": "070-174 06 99", "locale": "sv-SE"}, "sections": sections}))
    code, _, err = run("tenant", "create", "--slug", "demo", "--update", "--menu", str(menu))
    assert code == 0, err
    assert sql("select phone, locale from restaurants where slug = 'demo'") == [("+46701740699", "sv-SE")]
    menu.write_text(json.dumps({"restaurant": {"phone": "070-174"}, "sections": sections}))
    code, out, err = run("tenant", "create", "--slug", "demo", "--update", "--menu", str(menu))
    assert code == 1 and "restaurant.phone" in err and "not a valid phone number in SE" in err
    assert sql("select phone from restaurants where slug = 'demo'") == [("+46701740699",)]


def test_a_bad_menu_file_is_refused(support, run, tmp_path, state):
    before = state()
    bad = tmp_path / "bad.json"
    for content, needle in (("{not json", "--menu: not valid JSON"),
                            ("[1, 2]", "menu: a menu document"),
                            (json.dumps({"sections": [{"name": "A", "items": [
                                {"name": "X", "priceCents": -1}]}]}), "sections[0].items[0].priceCents")):
        bad.write_text(content)
        code, _, err = run("tenant", "create", "--slug", "new-place", "--name", "N", "--origin",
                           "https://x.example", "--menu", str(bad))
        assert code == 1 and needle in err, err
    assert run("tenant", "create", "--slug", "new-place", "--name", "N", "--origin", "https://x.example",
               "--menu", str(tmp_path / "missing.json"))[0] == 2
    assert state() == before


def test_cache_purge_prints_the_new_version(support, run, sql):
    (version,) = sql("select menu_version from restaurants where slug = 'nattbaren'")[0]
    code, out, _ = run("cache", "purge", "nattbaren")
    assert code == 0
    assert out.splitlines() == [
        f"nattbaren: menu version {version} -> {version + 1} (audited); every instance serves the new version "
        "within 2 s, through a new KV key and ETag",
        "CDN: no CLOUDFRONT_DISTRIBUTION_ID; CDN copies are revalidated within s-maxage (60 s)"]
    code, out, _ = run("cache", "purge", "nattbaren", "--json")
    data = orjson.loads(out)
    assert (data["previousVersion"], data["version"], data["cdn"]) == (version + 1, version + 2, None)


def test_the_installed_command_shows_a_tenant(support):
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), "stjarna"), "tenant", "show", "nattbaren"],
                          capture_output=True, text=True, timeout=120, env=os.environ.copy(), check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("nattbaren: Nattbaren (")


def test_show_when_closed_names_the_next_opening_in_local_time(support, run, tmp_path):
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    day = (datetime.now(UTC).astimezone(ZoneInfo("Europe/Stockholm")) + timedelta(days=2))
    menu = tmp_path / "menu.json"
    menu.write_text(json.dumps({"restaurant": {"hours": {day.strftime("%a").lower(): [["10:00", "11:00"]]}},
                                "sections": [{"name": "Fika", "items": [{"name": "Bun", "priceCents": 3500}]}]}))
    assert run("tenant", "create", "--slug", "rarely-open", "--name", "Rarely", "--origin", "https://x.example",
               "--menu", str(menu))[0] == 0
    code, out, _ = run("tenant", "show", "rarely-open")
    hours = next(line for line in out.splitlines() if line.startswith("hours"))
    assert code == 0
    assert f"closed; opens {day:%a %d %b} 10:00 Europe/Stockholm (" in hours
    assert run("tenant", "create", "--slug", "never-open", "--name", "Never", "--origin", "https://x.example")[0] == 0
    code, out, _ = run("tenant", "show", "never-open")
    assert "closed; no opening hours in the coming week" in out and "draft (not public" in out


def test_an_update_keeps_a_draft_with_a_menu_a_draft(support, variants, run, sql):
    code, out, _ = run("tenant", "create", "--slug", "draft-place", "--update", "--origin", "https://x.example")
    assert code == 0 and ": draft, menu version" in out.splitlines()[0]
    assert "note: draft: not public; it was a draft before and this update brought no menu" in out
    assert sql("select status, allowed_origins from restaurants where slug = 'draft-place'") == [
        ("draft", ["https://x.example"])]
