"""Commit e-mail domains that say nothing about an employer: free mail and noreply (counted as independent)."""

from __future__ import annotations

import duckdb

# As CNCF DevStats does, an author on one of these domains is `independent`, not an organisation. A domain
# also matches its sub-domains (`users.noreply.github.com` ends with `.noreply.github.com`).
INDEPENDENT_DOMAINS: tuple[str, ...] = (
    # global free mail
    "gmail.com",
    "googlemail.com",
    "outlook.com",
    "hotmail.com",
    "hotmail.co.uk",
    "live.com",
    "msn.com",
    "yahoo.com",
    "yahoo.co.jp",
    "yahoo.co.in",
    "ymail.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "protonmail.com",
    "protonmail.ch",
    "proton.me",
    "pm.me",
    "tutanota.com",
    "zoho.com",
    "gmx.com",
    "gmx.de",
    "gmx.net",
    "web.de",
    "mail.com",
    "mail.ru",
    "yandex.ru",
    "yandex.com",
    "naver.com",
    "fastmail.com",
    # Chinese free mail (many contributors to these projects)
    "qq.com",
    "foxmail.com",
    "163.com",
    "126.com",
    "yeah.net",
    "sina.com",
    "sina.cn",
    "sohu.com",
    "aliyun.com",
    "139.com",
    # noreply addresses hide the employer by design
    "users.noreply.github.com",
    "noreply.github.com",
    "users.noreply.gitlab.com",
)


def is_independent(domain: str | None) -> bool:
    """True for a free-mail or noreply domain (or a sub-domain of one); NULL/empty domains are unknown, not independent."""
    if not domain:
        return False
    d = domain.strip().lower()
    return any(d == x or d.endswith("." + x) for x in INDEPENDENT_DOMAINS)


def load_independent_domains(con: duckdb.DuckDBPyConnection) -> None:
    """(Re)write ref_independent_domains, the table the SQL marts match commit domains against."""
    con.execute("CREATE OR REPLACE TABLE ref_independent_domains (domain VARCHAR PRIMARY KEY)")
    con.executemany("INSERT INTO ref_independent_domains VALUES (?)", [(d,) for d in INDEPENDENT_DOMAINS])
