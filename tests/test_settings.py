from __future__ import annotations

from pathlib import Path

import pytest

from shared.errors import ConfigError
from shared.settings import ALL_NEEDS, Settings, load_settings


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


def test_every_problem_is_listed_in_one_error_in_field_order():
    with pytest.raises(ConfigError) as info:
        load_settings({"CHAT_BURST": "0", "MENU_S_MAXAGE": "soon", "STJARNA_ENV": "staging",
                       "BLOCKED_CLIENTS": "10.0.0.1/8", "OPENAI_MODEL": "m" * 101})
    assert str(info.value) == (
        "Invalid configuration:\n"
        "  STJARNA_ENV: Input should be 'development' or 'production'\n"
        "  MENU_S_MAXAGE: Input should be a valid integer, unable to parse string as an integer\n"
        "  CHAT_BURST: Input should be greater than or equal to 1\n"
        "  BLOCKED_CLIENTS: Value error, '10.0.0.1/8' has host bits set: did you mean 10.0.0.0/8?\n"
        "  OPENAI_MODEL: String should have at most 100 characters")
    with pytest.raises(ConfigError) as info:
        load_settings({"SUPABASE_URL": "https://abc.supabase.co"})
    assert str(info.value) == ("Invalid configuration:\n  settings: Value error, "
                               "SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY must be set together")


def test_values_are_parsed_by_their_type():
    s = load_settings({"use_server_chat": "no", "METRICS_EMF": "1", "MENU_S_MAXAGE": " 30 ", "CHAT_BURST": "4.0",
                       "STORE_TIMEOUT_SECONDS": "2.5", "STJARNA_DATA_DIR": "/srv/stjarna", "LOG_LEVEL": "DEBUG",
                       "FLAGS_BACKEND": "env", "BLOCKED_CLIENTS": "198.51.100.7 10.0.0.0/8,198.51.100.7"})
    assert (s.use_server_chat, s.metrics_emf, s.menu_s_maxage, s.chat_burst) == (False, True, 30, 4)
    assert (s.store_timeout_seconds, s.data_dir, s.log_level) == (2.5, Path("/srv/stjarna"), "DEBUG")
    assert (s.flags_source, s.blocked_clients) == ("env", "198.51.100.7, 10.0.0.0/8")
    for env, needle in [({"USE_SERVER_CHAT": "perhaps"}, "valid boolean"), ({"CHAT_BURST": "4.5"}, "valid integer"),
                        ({"STORE_TIMEOUT_SECONDS": "fast"}, "valid number"), ({"LOG_LEVEL": "debug"}, "'ERROR'"),
                        ({"STORE_TIMEOUT_SECONDS": "0"}, "greater than 0"), ({"STJARNA_STAGE": "Prod"}, "pattern")]:
        with pytest.raises(ConfigError, match=needle):
            load_settings(env)


def test_secrets_print_masked_and_settings_are_frozen():
    s = load_settings({"OPENAI_API_KEY": "sk-hunter2", "ADMIN_KEY_PEPPER": "pepper-hunter2"})
    assert s.openai_api_key is not None and s.openai_api_key.get_secret_value() == "sk-hunter2"
    shown = f"{s} {s!r} {s.openai_api_key} {s.admin_key_pepper!r}"
    assert "hunter2" not in shown and "**********" in shown
    with pytest.raises(AttributeError):
        s.env = "production"  # type: ignore[misc]
    assert s.model_fields_set == {"openai_api_key", "admin_key_pepper"}
    copy = s.model_copy(update={"menu_local_cache_seconds": 0})
    assert (copy.menu_local_cache_seconds, copy.openai_api_key) == (0, s.openai_api_key)
    assert copy.model_fields_set == {"openai_api_key", "admin_key_pepper", "menu_local_cache_seconds"}


def test_the_field_table_agrees_with_itself():
    """Every field has its variable, and its default is a valid value of its own type and bounds."""
    fields = Settings.model_fields
    assert len({f.alias for f in fields.values()}) == len(fields) > 60
    for name, field in fields.items():
        assert field.name == name and field.alias.isupper()
        assert field.validate(field.default) == field.default, name
    assert {n for n, f in fields.items() if "SecretStr" in str(f.annotation)} >= {"admin_key_pepper", "database_url"}
