"""Sending one webhook request without letting it reach inside our network (SSRF guard).

- The URL's host is resolved here, every address it resolves to must be public (not
  loopback, private, link-local (the cloud metadata service 169.254.169.254), CGNAT,
  unspecified, multicast or reserved; IPv4-mapped, 6to4 and NAT64 IPv6 forms are judged by
  the IPv4 address they carry), and the connection goes to that vetted address: there is no
  second lookup an attacker's DNS could answer differently (DNS rebinding). The Host header
  and TLS SNI and certificate check keep the URL's host name.
- Redirects are never followed: a 3xx is a failed attempt.
- Connect and read timeouts bound each socket operation; at most
  WEBHOOK_RESPONSE_MAX_BYTES of the body are read, then the connection is dropped.

WEBHOOK_ALLOW_PRIVATE_TARGETS (development and tests only; production settings refuse it)
lets http:// URLs and private addresses through, for local receivers.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import certifi
import urllib3
from django.conf import settings

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

NAT64 = ipaddress.ip_network("64:ff9b::/96")
CGNAT = ipaddress.ip_network("100.64.0.0/10")


class TargetRefused(Exception):
    """The URL may not be called (scheme, credentials, or an address that is not public)."""


@dataclass
class Result:
    status: int | None
    body: str
    latency_ms: int
    error: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.teredo is not None:
        return ip.teredo[1]
    return None


def is_public(ip: IPAddress) -> bool:
    if isinstance(ip, ipaddress.IPv6Address):
        inner = _embedded_ipv4(ip)
        if inner is not None:
            return is_public(inner)
    if isinstance(ip, ipaddress.IPv4Address) and ip in CGNAT:
        return False
    return ip.is_global and not (
        ip.is_multicast
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_private
        or ip.is_reserved
        or ip.is_unspecified
    )


def allow_private() -> bool:
    return bool(getattr(settings, "WEBHOOK_ALLOW_PRIVATE_TARGETS", False))


def check_url(url: str) -> None:
    """What can be checked without the network (at creation): https, a host, no credentials,
    and, when the host is an address literal, a public one."""
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_private() else ("https",)
    if parts.scheme not in schemes:
        raise TargetRefused("The URL must use https.")
    if not parts.hostname:
        raise TargetRefused("The URL has no host.")
    if parts.username or parts.password:
        raise TargetRefused("The URL may not carry credentials.")
    try:
        _ = parts.port  # raises for a port that is not a number in range
    except ValueError:
        raise TargetRefused("The URL's port is not valid.") from None
    try:
        literal = ipaddress.ip_address(parts.hostname)
    except ValueError:
        if parts.hostname.rstrip(".").lower() == "localhost" and not allow_private():
            raise TargetRefused("The URL points at this machine.") from None
        return
    if not allow_private() and not is_public(literal):
        raise TargetRefused("The URL points at a private or reserved address.")


def resolve(host: str, port: int) -> IPAddress:
    """The address to connect to: the first one the host resolves to, once every one of
    them is public (a name with one private address among public ones is refused)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise TargetRefused(f"The host does not resolve: {exc}") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]
    if not addresses:
        raise TargetRefused("The host does not resolve.")
    if not allow_private():
        for address in addresses:
            if not is_public(address):
                raise TargetRefused(f"The host resolves to a non-public address ({address}).")
    return addresses[0]


def _pool(scheme: str, ip: IPAddress, host: str, port: int) -> urllib3.HTTPConnectionPool:
    timeout = urllib3.Timeout(
        connect=settings.WEBHOOK_CONNECT_TIMEOUT, read=settings.WEBHOOK_READ_TIMEOUT
    )
    if scheme == "https":
        return urllib3.HTTPSConnectionPool(
            str(ip),
            port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            cert_reqs="CERT_REQUIRED",
            ca_certs=certifi.where(),
            # Pinned to the vetted address, TLS still speaks to and checks the name.
            server_hostname=host,
            assert_hostname=host,
        )
    return urllib3.HTTPConnectionPool(str(ip), port, timeout=timeout, retries=False, maxsize=1)


def post(url: str, *, body: bytes, headers: dict[str, str]) -> Result:
    """POST `body` to `url` once; never raises for network trouble (it is in the Result)."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        check_url(url)
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        ip = resolve(host, port)
    except TargetRefused as exc:
        return Result(status=None, body="", latency_ms=elapsed(), error=f"refused: {exc}")
    default_port = port == (443 if parts.scheme == "https" else 80)
    host_header = host if default_port else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        host_header = f"[{host}]" if default_port else f"[{host}]:{port}"
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    pool = _pool(parts.scheme, ip, host, port)
    limit = settings.WEBHOOK_RESPONSE_MAX_BYTES
    try:
        response = pool.urlopen(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host_header},
            redirect=False,
            retries=False,
            preload_content=False,
            assert_same_host=False,
        )
        try:
            latency = elapsed()
            chunks, size = [], 0
            for chunk in response.stream(1024, decode_content=False):
                chunks.append(chunk)
                size += len(chunk)
                if size >= limit:
                    break  # the rest is never read: the connection is dropped below
            raw = b"".join(chunks)[:limit]
        finally:
            response.close()
            pool.close()
    except urllib3.exceptions.HTTPError as exc:
        return Result(status=None, body="", latency_ms=elapsed(), error=_describe(exc))
    except OSError as exc:
        return Result(status=None, body="", latency_ms=elapsed(), error=_describe(exc))
    text = raw.decode("utf-8", errors="replace").replace("\x00", "\ufffd")
    error = ""
    if 300 <= response.status < 400:
        error = "redirect not followed"
    elif not 200 <= response.status < 300:
        error = f"HTTP {response.status}"
    return Result(status=response.status, body=text, latency_ms=latency, error=error)


def _describe(exc: Exception) -> str:
    if isinstance(exc, urllib3.exceptions.ConnectTimeoutError):
        return "connect timeout"
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return "read timeout"
    return f"{type(exc).__name__}: {exc}"[:500]
