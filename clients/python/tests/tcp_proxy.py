"""A TCP forwarder whose backend a test can switch: a failover, as a load balancer in front of two
replicas does it. Open connections are cut on a switch; new ones go to the new backend."""
from __future__ import annotations

import contextlib
import socket
import threading


class TcpProxy:
    def __init__(self, backend: str) -> None:
        self._backend = backend
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._closed = False
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)  # so the accept loop notices close()
        self.address = f"127.0.0.1:{self._listener.getsockname()[1]}"
        threading.Thread(target=self._accept, daemon=True).start()

    def switch(self, backend: str) -> None:
        """Sends new connections to `backend` and cuts the open ones."""
        with self._lock:
            self._backend = backend
            cut, self._open = self._open, []
        for s in cut:
            _close(s)

    def close(self) -> None:
        self._closed = True
        self.switch(self._backend)
        self._listener.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                host, port = self._backend.rsplit(":", 1)
            try:
                upstream = socket.create_connection((host, int(port)), timeout=5)
                upstream.settimeout(None)
            except OSError:
                _close(client)
                continue
            client.settimeout(None)
            with self._lock:
                self._open += [client, upstream]
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pump, args=(src, dst), daemon=True).start()


def _pump(src: socket.socket, dst: socket.socket) -> None:
    try:
        while data := src.recv(65536):
            dst.sendall(data)
    except OSError:
        pass
    finally:
        _close(src)
        _close(dst)


def _close(s: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already shut down by the other side
        s.shutdown(socket.SHUT_RDWR)
    s.close()
