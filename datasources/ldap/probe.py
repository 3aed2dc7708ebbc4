"""Check that the server answers, with asyncio's own sockets, before bonsai gets a connection.

bonsai (libldap underneath) can block the whole event loop, where no ``asyncio.timeout`` can
help: a connect to an address that drops packets ignores its timeout (bonsai issue #113), and
an ``ldaps://`` TLS handshake with a server that accepts and then stays silent runs inside the
loop thread until the peer gives up (measured here: the loop froze for as long as the test
server stayed silent). asyncio's connect and TLS handshake never block the loop and can be
given up on, so every new connection is first tried here, and only a server that completed TCP,
and TLS with the configured CA (after StartTLS, for ``start_tls``), is handed to bonsai.

It also gives a clear reason for a bad certificate ("certificate verify failed: unable to get
local issuer certificate") where libldap only says "Connect error".
"""

from __future__ import annotations

import asyncio
import enum
import os
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from domain.config import LdapBackendConfig

STARTTLS_OID = b"1.3.6.1.4.1.1466.20037"
_MAX_ANSWER = 64 * 1024


class Transport(enum.Enum):
    PLAIN = "plain"
    LDAPS = "ldaps"
    STARTTLS = "starttls"


class ProbeFailed(Exception):
    """The server cannot be used; ``reason`` says why, in words for an operator."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Endpoint:
    host: str
    port: int
    transport: Transport
    ca_file: str | None

    @classmethod
    def from_config(cls, config: LdapBackendConfig) -> Endpoint:
        parts = urlsplit(config.url)
        ldaps = parts.scheme == "ldaps"
        transport = Transport.STARTTLS if config.start_tls else Transport.PLAIN
        if ldaps:
            transport = Transport.LDAPS
        return cls(
            host=parts.hostname or "localhost",
            port=parts.port or (636 if ldaps else 389),
            transport=transport,
            ca_file=config.ca_file,
        )

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def tls_context(self) -> ssl.SSLContext:
        """Verify the server's certificate and name against ``ca_file`` (or the system CAs),
        as libldap's ``demand`` policy does."""
        try:
            return ssl.create_default_context(cafile=self.ca_file)
        except (OSError, ssl.SSLError) as exc:
            raise ProbeFailed(f"CA file {self.ca_file!r} cannot be used: {exc}") from exc


async def probe(endpoint: Endpoint) -> None:
    """Connect (and do TLS), then hang up; raise :class:`ProbeFailed`.

    No deadline of its own: the caller's (``pool``: the connect's, which counts only the time
    the event loop ran) bounds the probe and bonsai's open after it together, and words its
    expiry by how far the connect got.
    """
    context = endpoint.tls_context() if endpoint.transport is not Transport.PLAIN else None
    writer: asyncio.StreamWriter | None = None
    try:
        if endpoint.transport is Transport.LDAPS:
            _, writer = await asyncio.open_connection(
                endpoint.host, endpoint.port, ssl=context, server_hostname=endpoint.host
            )
        else:
            reader, writer = await asyncio.open_connection(endpoint.host, endpoint.port)
            if context is not None:
                await _start_tls(reader, writer, context, endpoint.host)
    except ssl.SSLCertVerificationError as exc:
        raise ProbeFailed(f"TLS certificate rejected: {exc.verify_message}") from exc
    except ssl.SSLError as exc:
        raise ProbeFailed(f"TLS handshake failed: {exc.reason or exc}") from exc
    except asyncio.IncompleteReadError:
        raise ProbeFailed(f"{endpoint.address} closed the connection") from None
    except OSError as exc:
        # asyncio words a refused connect as "Connect call failed (host, port)": say why.
        detail = os.strerror(exc.errno) if exc.errno else str(exc)
        raise ProbeFailed(f"cannot connect to {endpoint.address}: {detail}") from exc
    finally:
        if writer is not None:
            writer.transport.abort()


async def _start_tls(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    context: ssl.SSLContext,
    host: str,
) -> None:
    """RFC 4511 section 4.14: ask for StartTLS (message 1), check the answer, then shake hands."""
    writer.write(_STARTTLS_REQUEST)
    await writer.drain()
    code = _result_code(await _read_message(reader))
    if code != 0:
        raise ProbeFailed(f"the server refused StartTLS (LDAP result code {code})")
    await writer.start_tls(context, server_hostname=host)


def _tlv(tag: int, body: bytes) -> bytes:
    assert len(body) < 0x80
    return bytes((tag, len(body))) + body


# LDAPMessage { messageID 1, [APPLICATION 23] ExtendedRequest { [0] requestName } }
_STARTTLS_REQUEST = _tlv(0x30, _tlv(0x02, b"\x01") + _tlv(0x77, _tlv(0x80, STARTTLS_OID)))


async def _read_message(reader: asyncio.StreamReader) -> bytes:
    """The body of one BER ``SEQUENCE`` (an LDAPMessage) read from the stream."""
    head = await reader.readexactly(2)
    if head[0] != 0x30:
        raise ProbeFailed("the server's answer to StartTLS is not LDAP")
    length = head[1]
    if length & 0x80:
        size = length & 0x7F
        if not 0 < size <= 4:
            raise ProbeFailed("the server's answer to StartTLS is not LDAP")
        length = int.from_bytes(await reader.readexactly(size), "big")
    if length > _MAX_ANSWER:
        raise ProbeFailed("the server's answer to StartTLS is too long")
    return await reader.readexactly(length)


def _read_tlv(data: bytes, position: int) -> tuple[int, bytes, int]:
    """(tag, value, next position) of the BER element at ``position``."""
    if position + 2 > len(data):
        raise ProbeFailed("the server's answer to StartTLS is truncated")
    tag, length = data[position], data[position + 1]
    position += 2
    if length & 0x80:
        size = length & 0x7F
        length = int.from_bytes(data[position : position + size], "big")
        position += size
    end = position + length
    if end > len(data):
        raise ProbeFailed("the server's answer to StartTLS is truncated")
    return tag, data[position:end], end


def _result_code(message: bytes) -> int:
    """The resultCode of an ExtendedResponse ``[APPLICATION 24]`` (after the message ID)."""
    _, _, position = _read_tlv(message, 0)
    tag, response, _ = _read_tlv(message, position)
    if tag != 0x78:
        raise ProbeFailed("the server did not answer StartTLS with an extended response")
    tag, code, _ = _read_tlv(response, 0)
    if tag != 0x0A:
        raise ProbeFailed("the server's answer to StartTLS has no result code")
    return int.from_bytes(code, "big")
