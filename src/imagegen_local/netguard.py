"""Refuse every network connection that does not stay on this machine.

The tests and the demo install it, so that a mistake that would reach AWS fails loudly instead.
"""

from __future__ import annotations

import ipaddress
import socket

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_sendto = socket.socket.sendto
_real_getaddrinfo = socket.getaddrinfo


class LeftLoopback(RuntimeError):
    pass


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


def _connect(self: socket.socket, address: object) -> None:
    _check(address)
    return _real_connect(self, address)


def _connect_ex(self: socket.socket, address: object) -> int:
    _check(address)
    return _real_connect_ex(self, address)


def _sendto(self: socket.socket, data: bytes, *args: object) -> int:
    _check(args[-1])
    return _real_sendto(self, data, *args)  # type: ignore[arg-type]


def _getaddrinfo(host: object, *args: object, **kwargs: object) -> list:
    """A name lookup for anything but this machine is refused before a DNS query goes out."""
    if host not in (None, "", "localhost", b"localhost"):
        text = host.decode() if isinstance(host, bytes) else str(host)
        try:
            if not ipaddress.ip_address(text.split("%")[0]).is_loopback and text not in ("0.0.0.0", "::"):
                raise LeftLoopback(f"a lookup or connection outside loopback was attempted: {text}")
        except ValueError:
            raise LeftLoopback(f"a name lookup outside loopback was attempted: {text}") from None
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


def loopback_only() -> None:
    socket.socket.connect = _connect  # type: ignore[method-assign]
    socket.socket.connect_ex = _connect_ex  # type: ignore[method-assign]
    socket.socket.sendto = _sendto  # type: ignore[method-assign]
    socket.getaddrinfo = _getaddrinfo  # type: ignore[assignment]
