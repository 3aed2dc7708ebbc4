"""A real OpenLDAP ``slapd`` for the tests, with a generated configuration and data set.

The server runs from a temporary directory on free loopback ports: plain LDAP (also for
StartTLS) and ``ldaps://``, with a certificate from a test CA made by the ``openssl`` CLI (and
a second CA that did not sign it, for the bad-certificate cases). Its size limit (50) is lower
than the data (300+ people), so anything that lists more must page (RFC 2696); paged searches
may go past it (``size.prtotal=unlimited``), as Active Directory's MaxPageSize allows. The
backend binds as a read-only user, who is subject to the limit (the rootdn would not be).

``PEOPLE`` is the data set itself, so tests compute the expected answers from it with the
search grammar's reference matcher instead of hard-coding them.
"""

from __future__ import annotations

import base64
import contextlib
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from domain.field_map import CUSTOMER_ID, default_ldap_map

BASE_DN = "dc=roster,dc=test"
PEOPLE_DN = f"ou=people,{BASE_DN}"
READER_DN = f"cn=reader,{BASE_DN}"
READER_PASSWORD = "reader-secret"
SIZE_LIMIT = 50
VALID_FILTER = "(!(description=locked))"
SEARCH_FIELDS = ["uid", "cn", "sn", "givenName", "mail"]

GIVEN = ["Jürgen", "Anna", "Björn", "Clara", "David", "Eva", "Frank", "Greta"]
SURNAMES = [
    "Müller",
    "Schmidt",
    "Schäfer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Hoffmann",
    "Schulz",
    "Koch",
    "Bauer",
]
ORGS = ["acme", "globex", "initech", "umbrella", "hooli"]


@dataclass(frozen=True)
class Person:
    uid: str
    given: str
    sn: str
    org: str
    locked: bool = False
    title: str | None = None

    @property
    def cn(self) -> str:
        return f"{self.given} {self.sn}"

    @property
    def mail(self) -> str:
        return f"{self.uid}@ldap.test"

    @property
    def search_values(self) -> list[str]:
        """The values of ``SEARCH_FIELDS``, in that order."""
        return [self.uid, self.cn, self.sn, self.given, self.mail]


def _people() -> list[Person]:
    people = [
        Person(
            uid=f"ldap{i:03d}",
            given=GIVEN[i % len(GIVEN)],
            sn=SURNAMES[i % len(SURNAMES)],
            org=ORGS[i % len(ORGS)],
            locked=i % 7 == 3,
            title="Dr." if i % 13 == 0 else None,
        )
        for i in range(300)
    ]
    # Values with the characters RFC 4515 escapes, to show they are only ever values.
    people += [
        Person("star.user", "Stella", "Star*Name", "we*rd(co)\\x"),
        Person("paren.user", "Pat", "Paren(Test)", "acme"),
        Person("back.slash", "Bea", "Back\\Slash", "acme"),
    ]
    return people


PEOPLE = _people()
BY_UID = {p.uid: p for p in PEOPLE}


def ldap_map() -> list[dict[str, Any]]:
    """OTOBO's LDAP sample Map, with the customer ID in ``o`` (the organization) instead of
    ``mail``, so that customer-ID searches and e-mail searches differ."""
    return [
        {
            "attribute": f.attribute,
            "label": f.label,
            "field": "o" if f.attribute == CUSTOMER_ID else f.column,
            "show": f.show,
            "required": f.required,
            "readonly": True,
        }
        for f in default_ldap_map()
    ]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _ldif_line(name: str, value: str) -> str:
    if value.isascii() and value.isprintable() and not value.startswith((" ", ":", "<")):
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode()).decode()}"


def ldif(people: list[Person]) -> str:
    reader = ["organizationalRole", "simpleSecurityObject"]
    blocks = [
        [f"dn: {BASE_DN}", "objectClass: dcObject", "objectClass: organization", "o: Roster"],
        [f"dn: {READER_DN}", *(f"objectClass: {c}" for c in reader), "cn: reader"],
        [f"dn: {PEOPLE_DN}", "objectClass: organizationalUnit", "ou: people"],
    ]
    blocks[0].append("dc: roster")
    blocks[1].append(f"userPassword: {READER_PASSWORD}")
    for p in people:
        block = [f"dn: uid={p.uid},{PEOPLE_DN}", "objectClass: inetOrgPerson", f"uid: {p.uid}"]
        block += [_ldif_line(name, value) for name, value in _attributes(p)]
        blocks.append(block)
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"


def _attributes(p: Person) -> list[tuple[str, str]]:
    pairs = [("cn", p.cn), ("givenName", p.given), ("sn", p.sn), ("mail", p.mail), ("o", p.org)]
    if p.title:
        pairs.append(("title", p.title))
    if p.locked:
        pairs.append(("description", "locked"))
    return pairs


def _openssl(*args: str) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: S603, S607


class Slapd:
    """One slapd process; ``stop``/``start`` keep the data and the ports."""

    debug_level = "0"
    """slapd's ``-d``: ``"stats"`` logs every connection and operation (to ``logfile``)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.tls_port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"ldap://127.0.0.1:{self.port}"

    @property
    def ldaps_url(self) -> str:
        return f"ldaps://127.0.0.1:{self.tls_port}"

    @property
    def ca_file(self) -> str:
        return str(self.root / "ca.pem")

    @property
    def wrong_ca_file(self) -> str:
        return str(self.root / "other-ca.pem")

    def prepare(self, people: list[Person] | None = None) -> None:
        """Certificates, configuration and data (``slapadd``; ``PEOPLE`` unless given), all
        under ``root``."""
        root = self.root
        (root / "db").mkdir()
        for name, subject in (("ca", "Roster Test CA"), ("other-ca", "Someone Else's CA")):
            _openssl(
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-keyout", str(root / f"{name}.key"), "-out", str(root / f"{name}.pem"),
                "-subj", f"/CN={subject}",
            )  # fmt: skip
        _openssl(
            "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
            "-keyout", str(root / "server.key"), "-out", str(root / "server.csr"),
        )  # fmt: skip
        (root / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
        _openssl(
            "x509", "-req", "-in", str(root / "server.csr"), "-days", "2",
            "-CA", str(root / "ca.pem"), "-CAkey", str(root / "ca.key"), "-CAcreateserial",
            "-extfile", str(root / "san.cnf"), "-out", str(root / "server.pem"),
        )  # fmt: skip
        (root / "slapd.conf").write_text(self._config())
        (root / "data.ldif").write_text(ldif(PEOPLE if people is None else people), "utf-8")
        subprocess.run(  # noqa: S603
            [
                "/usr/sbin/slapadd",
                "-q",
                "-f",
                str(root / "slapd.conf"),
                "-l",
                str(root / "data.ldif"),
            ],
            check=True,
            capture_output=True,
        )

    def _config(self) -> str:
        root = self.root
        schemas = "\n".join(
            f"include /etc/ldap/schema/{name}.schema"
            for name in ("core", "cosine", "inetorgperson", "nis")
        )
        return f"""{schemas}
pidfile {root}/slapd.pid
modulepath /usr/lib/ldap
moduleload back_mdb
TLSCACertificateFile {root}/ca.pem
TLSCertificateFile {root}/server.pem
TLSCertificateKeyFile {root}/server.key
sizelimit size.soft={SIZE_LIMIT} size.hard={SIZE_LIMIT} size.prtotal=unlimited
database mdb
maxsize 104857600
suffix "{BASE_DN}"
rootdn "cn=admin,{BASE_DN}"
rootpw admin-secret-not-used
directory {root}/db
access to attrs=userPassword by anonymous auth by * none
access to * by dn.exact="{READER_DN}" read by * none
"""

    def start(self) -> None:
        assert self.process is None, "slapd is running"
        listen = f"ldap://127.0.0.1:{self.port}/ ldaps://127.0.0.1:{self.tls_port}/"
        with (self.root / "slapd.log").open("ab") as output:  # slapd keeps its own copy
            self.process = subprocess.Popen(  # noqa: S603
                [
                    "/usr/sbin/slapd",
                    "-f",
                    str(self.root / "slapd.conf"),
                    "-h",
                    listen,
                    "-d",
                    self.debug_level,
                ],
                stdout=subprocess.DEVNULL,
                stderr=output,
                start_new_session=True,
            )
        deadline = time.monotonic() + 10
        while not self._accepts():
            if self.process.poll() is not None or time.monotonic() > deadline:
                log = (self.root / "slapd.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"slapd did not start:\n{log}")
            time.sleep(0.02)

    def _accepts(self) -> bool:
        for port in (self.port, self.tls_port):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            except OSError:
                return False
        return True

    def stop(self) -> None:
        """Stop the whole process group and wait, so the ports are free again."""
        process, self.process = self.process, None
        if process is None:
            return
        self._signal(process, signal.SIGCONT)
        self._signal(process, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._signal(process, signal.SIGKILL)
            process.wait(timeout=5)

    def pause(self) -> None:
        """Freeze slapd: connections stay open, connects are accepted, nothing answers."""
        assert self.process is not None
        self._signal(self.process, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self._signal(self.process, signal.SIGCONT)

    @staticmethod
    def _signal(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)

    @property
    def running(self) -> bool:
        return self.process is not None

    def backend(self, **overrides: Any) -> dict[str, Any]:
        """The LDAP backend's configuration (a ``customer_user.backends`` entry)."""
        config: dict[str, Any] = {
            "module": "ldap",
            "name": "Directory",
            "url": self.url,
            "base_dn": PEOPLE_DN,
            "bind_dn": READER_DN,
            "bind_password": READER_PASSWORD,
            "valid_filter": VALID_FILTER,
            "customer_id": "o",
            "search_fields": SEARCH_FIELDS,
            "list_fields": ["cn", "mail"],
            "name_fields": ["givenName", "sn"],
            "map": ldap_map(),
            "page_size": 20,
            "timeout_seconds": 2.0,
            "connect_timeout_seconds": 2.0,
        }
        config.update(overrides)
        return config


S = TypeVar("S", bound=Slapd)


def serving(server: S) -> Iterator[S]:
    """A session fixture's body: ``server`` prepared and started, stopped at the end."""
    server.prepare()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def restoring(server: S) -> Iterator[S]:
    """A fixture's body for a test that stops or freezes ``server``: running again after."""
    try:
        yield server
    finally:
        if server.running:
            server.resume()
        else:
            server.start()
