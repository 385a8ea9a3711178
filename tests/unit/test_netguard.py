"""The guard the tests and the demo run under: nothing leaves loopback."""

import socket

import pytest

from imagegen_local.netguard import LeftLoopback


@pytest.mark.parametrize(
    "address", [("203.0.113.7", 443), ("bedrock-runtime.us-west-2.amazonaws.com", 443), ("::ffff:8.8.8.8", 53, 0, 0)]
)
def test_a_connection_outside_loopback_is_refused_before_it_is_made(address):
    family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock, pytest.raises(LeftLoopback):
        sock.connect(address)


def test_loopback_is_allowed():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket() as client:
            client.connect(server.getsockname())


@pytest.mark.parametrize("host", ["bedrock-runtime.us-west-2.amazonaws.com", "example.com", "8.8.8.8"])
def test_a_name_lookup_outside_loopback_is_refused_before_a_query_goes_out(host):
    with pytest.raises(LeftLoopback):
        socket.getaddrinfo(host, 443)


@pytest.mark.parametrize(
    ("lookup", "argument"),
    [
        ("gethostbyname", "bedrock-runtime.us-west-2.amazonaws.com"),
        ("gethostbyname_ex", "example.com"),
        ("gethostbyaddr", "8.8.8.8"),
        ("gethostbyaddr", "example.com"),
    ],
)
def test_the_older_resolver_calls_are_refused_too(lookup, argument):
    with pytest.raises(LeftLoopback):
        getattr(socket, lookup)(argument)


def test_a_reverse_lookup_outside_loopback_is_refused():
    with pytest.raises(LeftLoopback):
        socket.getnameinfo(("8.8.8.8", 53), 0)


def test_loopback_names_still_resolve_through_every_call():
    assert socket.gethostbyname("localhost").startswith("127.")
    assert socket.gethostbyname("127.0.0.1") == "127.0.0.1"
    assert socket.gethostbyname_ex("localhost")[2]
    assert socket.getnameinfo(("127.0.0.1", 80), socket.NI_NUMERICHOST | socket.NI_NUMERICSERV) == ("127.0.0.1", "80")


def test_a_udp_datagram_outside_loopback_is_refused():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock, pytest.raises(LeftLoopback):
        sock.sendto(b"x", ("192.0.2.1", 53))


def test_loopback_lookups_still_work():
    assert socket.getaddrinfo("127.0.0.1", 80)
    assert socket.getaddrinfo("localhost", 80)


def test_getfqdn_and_a_server_bound_to_every_interface_work_offline():
    import http.server
    import socket

    assert socket.getfqdn("example.com") == "example.com"  # a refused reverse lookup is "no answer"
    server = http.server.HTTPServer(("0.0.0.0", 0), http.server.BaseHTTPRequestHandler)
    server.server_close()
