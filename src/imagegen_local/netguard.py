"""Refuse every network connection that does not stay on this machine.

The tests and the demo install it, so that a mistake that would reach AWS fails loudly instead.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

# what socket.connect and sendto take: (host, port, ...) for the internet families, a path for AF_UNIX
Address: TypeAlias = "tuple[Any, ...] | str | ReadableBuffer"

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_sendto = socket.socket.sendto
_real_getaddrinfo = socket.getaddrinfo
_real_gethostbyname = socket.gethostbyname
_real_gethostbyname_ex = socket.gethostbyname_ex
_real_gethostbyaddr = socket.gethostbyaddr
_real_getnameinfo = socket.getnameinfo


class LeftLoopback(RuntimeError):
    pass


class ReverseLookupRefused(LeftLoopback, socket.herror):
    """A refused reverse lookup is also the socket.herror that callers of gethostbyaddr expect
    when a name has no answer: socket.getfqdn() (and with it HTTPServer binding "" or 0.0.0.0)
    then falls back to the name it was given, offline, instead of failing."""


def _check(address: object) -> None:
    if isinstance(address, (str, bytes)):  # a Unix socket path
        return
    host = address[0] if isinstance(address, tuple) else address
    if host == "localhost":
        return
    try:
        if ipaddress.ip_address(str(host).split("%")[0]).is_loopback:
            return
    except ValueError:
        pass
    raise LeftLoopback(f"a connection outside loopback was attempted: {address!r}")


def _connect(self: socket.SocketType, address: Address) -> None:
    _check(address)
    return _real_connect(self, address)


def _connect_ex(self: socket.SocketType, address: Address) -> int:
    _check(address)
    return _real_connect_ex(self, address)


def _sendto(self: socket.SocketType, data: ReadableBuffer, *args: Any) -> int:
    """sendto(data, address) or sendto(data, flags, address): the address comes last."""
    _check(args[-1])
    return _real_sendto(self, data, *args)


def _check_name(host: object, *, wildcard: bool = False) -> None:
    """A name or address to resolve: localhost and loopback literals only (and, for getaddrinfo,
    the bind-all wildcards); anything else is refused before a DNS query goes out."""
    if host in (None, "", "localhost", b"localhost"):
        return
    text = host.decode() if isinstance(host, bytes) else str(host)
    if wildcard and text in ("0.0.0.0", "::"):
        return
    try:
        loopback = ipaddress.ip_address(text.split("%")[0]).is_loopback
    except ValueError:
        raise LeftLoopback(f"a name lookup outside loopback was attempted: {text}") from None
    if not loopback:
        raise LeftLoopback(f"a lookup or connection outside loopback was attempted: {text}")


def _getaddrinfo(
    host: bytes | str | None,
    port: bytes | str | int | None,
    family: int = 0,
    type: int = 0,
    proto: int = 0,
    flags: int = 0,
) -> list[Any]:
    _check_name(host, wildcard=True)
    return _real_getaddrinfo(host, port, family, type, proto, flags)


def _gethostbyname(host: str) -> str:
    _check_name(host)
    return _real_gethostbyname(host)


def _gethostbyname_ex(host: str) -> tuple[str, list[str], list[str]]:
    _check_name(host)
    return _real_gethostbyname_ex(host)


def _gethostbyaddr(address: str) -> tuple[str, list[str], list[str]]:
    try:
        _check_name(address)  # a reverse lookup of anything but loopback is a DNS query
    except LeftLoopback as refused:
        raise ReverseLookupRefused(str(refused)) from None
    return _real_gethostbyaddr(address)


def _getnameinfo(sockaddr: tuple, flags: int) -> tuple[str, str]:
    _check_name(sockaddr[0])
    return _real_getnameinfo(sockaddr, flags)


def loopback_only() -> None:
    # mypy refuses any assignment to a method (method-assign); replacing these three is the point
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = _sendto  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo
    socket.gethostbyname = _gethostbyname
    socket.gethostbyname_ex = _gethostbyname_ex
    socket.gethostbyaddr = _gethostbyaddr
    socket.getnameinfo = _getnameinfo
