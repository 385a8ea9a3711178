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


class LocalS3(LoopbackServer):
    """moto's server as moto.server.ThreadedMotoServer builds it (its dispatcher application and
    request handler on werkzeug's threaded server), bound and stopped like the other local servers."""

    thread_name = "local-s3"

    def _bind(self, port: int) -> socketserver.TCPServer:
        return _QuietWSGIServer(HOST, port, DomainDispatcherApplication(create_backend_app), handler=_Handler)
