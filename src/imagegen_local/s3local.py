"""A local S3: moto's server on a free loopback port. Point clients at it with
AWS_ENDPOINT_URL_S3; the product's pre-signed URLs then work against it too."""

from __future__ import annotations

import logging

from moto.server import ThreadedMotoServer


class LocalS3:
    def __init__(self) -> None:
        # port 0: the operating system picks a free port as the server binds it (no race)
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)

    @property
    def url(self) -> str:
        host, port = self.server.get_host_and_port()
        return f"http://{host}:{port}"

    def start(self) -> LocalS3:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's server logs every request otherwise
        self.server.start()  # returns once the socket is bound and listening
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> LocalS3:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
