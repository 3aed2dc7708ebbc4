"""A second slapd for the LDAP *authentication* backend: people with passwords, groups, and a
server that would let an empty password in.

It is the tests' ``Slapd`` (same certificates, CA and ports scheme), with its own data:

- people under ``ou=people`` with ``userPassword``; ``twin`` exists twice (also under
  ``ou=others``), for the ambiguous login; ``carl`` carries ``description: blocked``, for the
  always-filter; ``sam@example.test`` is the login with a suffix; ``META_UID`` holds every
  RFC 4515 metacharacter;
- ``cn=portal,ou=groups`` (``posixGroup``, ``memberUid`` alice and sam@example.test) and
  ``cn=portal-dn,ou=groups`` (``groupOfNames``, ``member: <alice's DN>``);
- ``allow bind_anon_dn``: a bind with a DN and an empty password succeeds, anonymously (RFC
  4513 §5.1.2's unauthenticated bind). So if Roster ever sent an empty password, the sign-in
  would succeed: refusing it proves nothing was sent. Anonymous users may search (for the
  anonymous first bind); the search user is ``READER_DN``.
- ``-d stats`` with a ``logfile``: every connection and BIND is in ``stats.log``, so a test
  can count them.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from typing import Any

from tests.ldap.directory import BASE_DN, PEOPLE_DN, READER_DN, READER_PASSWORD, Slapd

GROUPS_DN = f"ou=groups,{BASE_DN}"
OTHERS_DN = f"ou=others,{BASE_DN}"
PORTAL_GROUP = f"cn=portal,{GROUPS_DN}"
PORTAL_DN_GROUP = f"cn=portal-dn,{GROUPS_DN}"
META_UID = "m*)(uid=*\\x"
SUFFIX = "@example.test"


@dataclass(frozen=True)
class Account:
    uid: str
    password: str
    parent: str = PEOPLE_DN
    description: str | None = None

    @property
    def dn(self) -> str:
        escaped = self.uid.replace("\\", "\\5C").replace("=", "\\3D")  # RFC 4514
        return f"uid={escaped},{self.parent}"


ALICE = Account("alice", "Alice-Secret-1")
BOB = Account("bob", "Bob-Secret-1")
CARL = Account("carl", "Carl-Secret-1", description="blocked")
SAM = Account(f"sam{SUFFIX}", "Sam-Secret-1")
META = Account(META_UID, "Meta-Secret-1")
TWINS = (Account("twin", "Twin-Secret-1"), Account("twin", "Twin-Secret-1", parent=OTHERS_DN))
ACCOUNTS = (ALICE, BOB, CARL, SAM, META, *TWINS)


def _entry(dn: str, *lines: str) -> str:
    return "\n".join((f"dn: {dn}", *lines))


def auth_ldif() -> str:
    blocks = [
        _entry(GROUPS_DN, "objectClass: organizationalUnit", "ou: groups"),
        _entry(OTHERS_DN, "objectClass: organizationalUnit", "ou: others"),
    ]
    for account in ACCOUNTS:
        lines = [
            "objectClass: inetOrgPerson",
            f"uid: {account.uid}",
            f"cn: {account.uid}",
            f"sn: {account.uid}",
            f"userPassword: {account.password}",
        ]
        if account.description:
            lines.append(f"description: {account.description}")
        blocks.append(_entry(account.dn, *lines))
    blocks.append(
        _entry(
            PORTAL_GROUP,
            "objectClass: posixGroup",
            "cn: portal",
            "gidNumber: 5000",
            f"memberUid: {ALICE.uid}",
            f"memberUid: {SAM.uid}",
        )
    )
    blocks.append(
        _entry(PORTAL_DN_GROUP, "objectClass: groupOfNames", "cn: portal-dn", f"member: {ALICE.dn}")
    )
    return "\n\n".join(blocks) + "\n"


class AuthSlapd(Slapd):
    debug_level = "stats"

    def prepare(self, people: Any = None) -> None:
        super().prepare(people=[])
        (self.root / "auth.ldif").write_text(auth_ldif(), "utf-8")
        subprocess.run(  # noqa: S603
            ["/usr/sbin/slapadd", "-q", "-f", str(self.root / "slapd.conf"),
             "-l", str(self.root / "auth.ldif")],
            check=True,
            capture_output=True,
        )  # fmt: skip

    def _config(self) -> str:
        config = super()._config()
        config = config.replace(
            f'access to * by dn.exact="{READER_DN}" read by * none',
            f'access to * by dn.exact="{READER_DN}" read by anonymous read by * none',
        )
        return f"allow bind_anon_dn\nlogfile {self.root}/stats.log\n" + config

    def log(self) -> list[str]:
        """What slapd has logged so far: a line per connection (``ACCEPT from``) and per
        operation (``BIND dn="…" method=128``, ``SRCH base=…``, ``RESULT …``)."""
        return (self.root / "stats.log").read_text(errors="replace").splitlines()

    def binds(self) -> list[str]:
        """The DNs of the BIND requests logged so far, in order."""
        marker = ' BIND dn="'
        return [
            line.split(marker, 1)[1].split('"', 1)[0]
            for line in self.log()
            if marker in line and "method=" in line
        ]

    def connections(self) -> int:
        return sum(" ACCEPT from " in line for line in self.log())

    def auth_backend(self, **overrides: Any) -> dict[str, Any]:
        """An LDAP authentication backend's configuration (a ``customer_auth.backends``
        entry) searching as the reader under the whole base."""
        config: dict[str, Any] = {
            "module": "ldap",
            "name": "ldap-directory",
            "url": self.url,
            "base_dn": BASE_DN,
            "search_user_dn": READER_DN,
            "search_user_password": READER_PASSWORD,
            "timeout_seconds": 2.0,
            "connect_timeout_seconds": 2.0,
        }
        config.update(overrides)
        return config
