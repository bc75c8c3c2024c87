from __future__ import annotations

import pytest

from shared.errors import ConfigError
from shared.settings import ALL_NEEDS, load_settings


def test_defaults_run_embedded():
    s = load_settings({})
    assert (s.store_kind, s.kv_kind, s.env) == ("embedded", "memory", "development")
    assert (s.menu_s_maxage, s.menu_stale_while_revalidate) == (60, 300)


def test_backends_are_chosen_by_configuration():
    s = load_settings({"SUPABASE_URL": "https://abc.supabase.co", "SUPABASE_SERVICE_ROLE_KEY": "k" * 40,
                       "UPSTASH_REDIS_REST_URL": "https://x.upstash.io", "UPSTASH_REDIS_REST_TOKEN": "t" * 40})
    assert (s.store_kind, s.kv_kind) == ("supabase", "upstash")
    assert load_settings({"DATABASE_URL": "postgresql://u@h/db"}).store_kind == "postgres"


@pytest.mark.parametrize(("env", "needle"), [
    ({"MENU_S_MAXAGE": "soon"}, "MENU_S_MAXAGE"),
    ({"MENU_S_MAXAGE": "-1"}, "MENU_S_MAXAGE"),
    ({"CONFIG_MAX_AGE": "60"}, "CONFIG_MAX_AGE"),
    ({"CHAT_RATE_LIMIT": "lots"}, "CHAT_RATE_LIMIT"),
    ({"CHAT_BURST": "0"}, "CHAT_BURST"),
    ({"STJARNA_ENV": "staging"}, "STJARNA_ENV"),
    ({"SUPABASE_URL": "https://abc.supabase.co"}, "must be set together"),
    ({"UPSTASH_REDIS_REST_TOKEN": "t" * 40}, "must be set together"),
    ({"SUPABASE_URL": "not a url", "SUPABASE_SERVICE_ROLE_KEY": "k" * 40}, "SUPABASE_URL"),
    ({"STJARNA_ENV": "production"}, "embedded store is for development"),
    ({"STJARNA_ENV": "production", "SUPABASE_URL": "https://abc.supabase.co",
      "SUPABASE_SERVICE_ROLE_KEY": "changeme", "ADMIN_KEY_PEPPER": "p" * 40}, "placeholder"),
    ({"STJARNA_ENV": "production", "DATABASE_URL": "postgresql://h/db"}, "production needs ADMIN_KEY_PEPPER"),
    ({"STJARNA_ENV": "production", "DATABASE_URL": "postgresql://h/db", "ADMIN_KEY_PEPPER": "changeme"},
     "ADMIN_KEY_PEPPER looks like a placeholder"),
    ({"ORDER_RATE_LIMIT": "many"}, "ORDER_RATE_LIMIT"),
    ({"ORDER_LEAD_MINUTES": "-1"}, "ORDER_LEAD_MINUTES"),
    ({"ORDER_HORIZON_HOURS": "0"}, "ORDER_HORIZON_HOURS"),
])
def test_bad_values_are_refused_with_the_variable_named(env, needle):
    with pytest.raises(ConfigError) as info:
        load_settings(env).require(ALL_NEEDS)  # production: what a process using everything needs
    assert needle in str(info.value)


def test_secrets_do_not_leak_in_repr():
    s = load_settings({"DATABASE_URL": "postgresql://u:hunter2@h/db"})
    assert "hunter2" not in repr(s)


def test_empty_values_mean_unset():
    assert load_settings({"SUPABASE_URL": "", "DATABASE_URL": ""}).store_kind == "embedded"
