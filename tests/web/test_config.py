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
