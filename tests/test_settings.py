"""Settings: one definition each, checked at load, documented by value."""

from __future__ import annotations

from dataclasses import fields

import pytest

from backend.settings import SETTINGS, InvalidSetting, Settings, load_settings


def test_every_field_is_a_setting_with_its_default():
    assert [s.name for s in SETTINGS] == [f.name for f in fields(Settings)]
    defaults = Settings(data_dir="/d")
    for setting in SETTINGS:
        if setting.default is not None and setting.name != "database_url":
            assert getattr(defaults, setting.name) == setting.default


def test_every_documented_default_parses_and_is_the_default():
    for setting in SETTINGS:
        if setting.default is None or setting.name == "database_url":
            continue
        raw = str(setting.default).lower() if isinstance(setting.default, bool) else None
        value = setting.parse(raw if raw is not None else str(setting.default))
        assert value == setting.default, setting.name


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WIKIVIEWS_DATABASE_URL", "bogus://x"),
        ("WIKIVIEWS_DATABASE_URL", "not a url"),
        ("WIKIVIEWS_RATE_LIMIT", "lots"),
        ("WIKIVIEWS_CACHE_SECONDS", "-5"),
        ("WIKIVIEWS_TOP_SIZE", "0"),
        ("WIKIVIEWS_FETCH_CONNECTIONS", "4"),
        ("WIKIVIEWS_FETCH_ORDER", "random"),
        ("WIKIVIEWS_FETCH_BASE_URL", "dumps.wikimedia.org"),
        ("WIKIVIEWS_ALLOW_ANONYMOUS", "maybe"),
        ("WIKIVIEWS_BIND", "localhost"),
    ],
)
def test_a_bad_value_names_the_variable_and_what_it_accepts(variable, value):
    with pytest.raises(InvalidSetting) as error:
        load_settings({variable: value})
    setting = next(s for s in SETTINGS if s.variable == variable)
    assert str(error.value) == f"{variable}={value!r} is not valid: expected {setting.accepts}"


def test_an_empty_rate_limit_turns_it_off_and_overrides_win():
    assert load_settings({"WIKIVIEWS_RATE_LIMIT": ""}).rate_limit == ""
    assert load_settings({"WIKIVIEWS_WORKERS": "3"}, workers=5).workers == 5
