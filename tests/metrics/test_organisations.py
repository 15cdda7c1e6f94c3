"""Which commit e-mail domains count as independent (free mail, noreply) rather than an organisation."""

import duckdb
import pytest

from metrics.organisations import INDEPENDENT_DOMAINS, is_independent, load_independent_domains


@pytest.mark.parametrize(
    "domain",
    ["gmail.com", "GMAIL.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com", "qq.com",
     "163.com", "126.com", "foxmail.com", "icloud.com", "me.com", "protonmail.com", "proton.me",
     "users.noreply.github.com", "noreply.github.com"],
)  # fmt: skip
def test_free_mail_and_noreply_domains_are_independent(domain):
    assert is_independent(domain)


@pytest.mark.parametrize("domain", ["nvidia.com", "acme.com", "huawei.com", "google.com", "github.com"])
def test_company_domains_are_organisations_even_when_they_end_like_a_free_mail_domain(domain):
    # acme.com ends with "me.com" but is not a sub-domain of it
    assert not is_independent(domain)


def test_sub_domains_of_a_noreply_domain_are_independent():
    assert is_independent("12345+someone.users.noreply.github.com")


def test_an_unknown_domain_is_not_independent():
    assert not is_independent(None)
    assert not is_independent("")


def test_the_list_is_loaded_into_ref_independent_domains_for_the_sql():
    con = duckdb.connect()
    load_independent_domains(con)
    load_independent_domains(con)  # rebuilding replaces, never duplicates
    loaded = {r[0] for r in con.execute("SELECT domain FROM ref_independent_domains").fetchall()}
    assert loaded == set(INDEPENDENT_DOMAINS)
    assert len(INDEPENDENT_DOMAINS) == len(loaded)
