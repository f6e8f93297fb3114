"""The environment schema: PACTESUR_TRUSTED_PROXIES read, checked, and refused with its name."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from pactesur.web.config import Config, ConfigError, parse_trusted_proxies


def test_trusted_proxies_default_to_this_machine(tmp_path: Path):
    config = Config.from_env({"PACTESUR_DATA_DIR": str(tmp_path)})
    assert config.trusted_proxies == (ipaddress.ip_network("127.0.0.1"), ipaddress.ip_network("::1"))


def test_trusted_proxies_take_addresses_and_networks_of_both_families(tmp_path: Path):
    config = Config.from_env(
        {"PACTESUR_DATA_DIR": str(tmp_path), "PACTESUR_TRUSTED_PROXIES": " 10.0.0.5, 10.1.0.0/16 ,fd00::/8,"}
    )
    assert config.trusted_proxies == (
        ipaddress.ip_network("10.0.0.5/32"),
        ipaddress.ip_network("10.1.0.0/16"),
        ipaddress.ip_network("fd00::/8"),
    )


def test_an_empty_list_trusts_no_proxy():
    assert parse_trusted_proxies("") == ()


@pytest.mark.parametrize("value", ["proxy.example.org", "10.0.0.300", "10.0.0.5/24", "*", "10.0.0.0/33"])
def test_a_bad_trusted_proxy_is_refused_with_the_variable_and_the_value(value):
    with pytest.raises(ConfigError, match="PACTESUR_TRUSTED_PROXIES") as error:
        parse_trusted_proxies(f"127.0.0.1,{value}")
    assert repr(value) in str(error.value)


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path):
    env = {"PACTESUR_DATA_DIR": str(tmp_path), "PACTESUR_PRODUCTION": "1"}
    for missing in ({}, {"PACTESUR_SECRET_KEY": "  "}):
        with pytest.raises(ConfigError, match="PACTESUR_SECRET_KEY must be set in production"):
            Config.from_env({**env, **missing})
    assert not (tmp_path / "secret_key").exists()  # no key made up behind the operator's back
    config = Config.from_env({**env, "PACTESUR_SECRET_KEY": "k" * 50})
    assert config.secret_key == "k" * 50
    assert config.debug is False


def test_outside_production_a_key_is_generated_once_into_the_data_directory(tmp_path: Path):
    first = Config.from_env({"PACTESUR_DATA_DIR": str(tmp_path)})
    again = Config.from_env({"PACTESUR_DATA_DIR": str(tmp_path)})
    assert len(first.secret_key) >= 50
    assert again.secret_key == first.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_the_demo_runs_without_debug_pages_unless_a_developer_asks(tmp_path: Path, monkeypatch):
    from pactesur.commands.demo import _configure_environment

    for key in ("PACTESUR_DEBUG", "PACTESUR_DATA_DIR", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"):
        monkeypatch.delenv(key, raising=False)
    _configure_environment(tmp_path / "demo")
    assert Config.from_env().debug is False
    monkeypatch.setenv("PACTESUR_DEBUG", "1")
    _configure_environment(tmp_path / "demo")
    assert Config.from_env().debug is True
