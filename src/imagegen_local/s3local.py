"""A local S3: moto's WSGI application on a free loopback port. Point clients at it with
AWS_ENDPOINT_URL_S3; the product's pre-signed URLs then work against it too."""

from __future__ import annotations

import socketserver
from typing import Any

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import ThreadedWSGIServer

from .loopback import HOST, LoopbackServer, QuietAboutDroppedClients
from .s3conditions import atomic_conditional_writes

atomic_conditional_writes()  # S3 decides a conditional write atomically; moto alone does not


class _QuietWSGIServer(QuietAboutDroppedClients, ThreadedWSGIServer):
    pass


class _Handler(MotoRequestHandler):
    disable_nagle_algorithm = True  # werkzeug sends headers and body apart: no wait for a delayed ACK between

    def log_request(self, *args: Any) -> None:  # werkzeug logs every request otherwise
        pass


class _Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering which backend serves a host: moto works it out again for
    every request (listing its package's folders and trying every service's URL patterns), under a
    lock that serializes the requests. The answer depends on the host's name alone."""

    def __init__(self) -> None:
        super().__init__(create_backend_app)
        self._backends: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:  # called under the dispatcher's lock
        if host not in self._backends:
            self._backends[host] = super().get_backend_for_host(host)
        return self._backends[host]


class LocalS3(LoopbackServer):
    """moto's server as moto.server.ThreadedMotoServer builds it (its dispatcher application and
    request handler on werkzeug's threaded server), bound and stopped like the other local servers."""

    thread_name = "local-s3"

    def _bind(self, port: int) -> socketserver.TCPServer:
        return _QuietWSGIServer(HOST, port, _Dispatcher(), handler=_Handler)
