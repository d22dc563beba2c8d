"""The monitor gateway: an MLLP server that stores each ORU^R01 and acknowledges it.

``AA`` is sent only after the values are durably committed (or were already, for a resent
message); ``AE``/``AR`` carry the reason in MSA-3. One bad message never stops the server:
every message gets an answer, and a stream that is not MLLP at all is closed on its own.
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import logging
import queue
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from infusion_monitor.domain.monitor import HEART_RATE_SOURCES, MonitorReading
from infusion_monitor.errors import UserError
from infusion_monitor.integrations.hl7.message import (
    ACCEPT,
    ERROR,
    REJECT,
    Header,
    MessageRefused,
    ack,
    decode,
    parse_oru,
    read_header,
)
from infusion_monitor.integrations.hl7.mllp import (
    MAX_MESSAGE_BYTES,
    FrameDecoder,
    Oversized,
    UnframeableError,
    frame,
)

log = logging.getLogger(__name__)

#: A connection idle this long (no bytes at all) is closed; monitors reconnect.
IDLE_TIMEOUT_S = 120.0
_RECV_BYTES = 65536

#: ``store(reading, now)``: commit the reading or raise UserError; returns what happened.
Store = Callable[[MonitorReading, datetime], Any]
#: ``store_batch(readings, now)``: commit them in one transaction; an outcome or error each.
StoreBatch = Callable[[Sequence[MonitorReading], datetime], Sequence[Any]]
#: The most messages one group commit takes (more wait for the next one).
MAX_BATCH = 256
#: Windows socket errors: the port is taken (SO_EXCLUSIVEADDRUSE gives "access denied" too).
WSAEADDRINUSE = 10048
WSAEACCES = 10013


@dataclass
class _Pending:
    reading: MonitorReading
    now: datetime
    done: threading.Event = field(default_factory=threading.Event)
    outcome: Any = None


class GroupCommitter:
    """One writer thread for every connection: group commit.

    :meth:`store` (called by each connection's thread) queues the reading and waits. The writer
    takes every reading waiting, stores them with ``store_batch`` (one transaction, a savepoint
    each: a refused reading rolls back only its own) and, after the commit, wakes each caller
    with its outcome, so an ACK is still sent only after its values are durable. If the commit
    fails, every reading of the batch gets the error (AE) and none is stored.
    """

    def __init__(self, store_batch: StoreBatch, max_batch: int = MAX_BATCH) -> None:
        self._store_batch = store_batch
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, daemon=True, name="hl7-writer")
        self._thread.start()

    def store(self, reading: MonitorReading, now: datetime) -> Any:
        """Store ``reading`` with the next group commit; return its outcome or raise its error."""
        pending = _Pending(reading, now)
        self._queue.put(pending)
        pending.done.wait()
        if isinstance(pending.outcome, BaseException):
            raise pending.outcome
        return pending.outcome

    def close(self) -> None:
        """Finish the readings already queued, then stop the writer thread."""
        self._queue.put(None)
        self._thread.join()

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stop = True
                    break
                batch.append(more)
            self._commit(batch)
            if stop:
                return

    def _commit(self, batch: list[_Pending]) -> None:
        outcomes: Sequence[Any]
        try:
            outcomes = self._store_batch([p.reading for p in batch], max(p.now for p in batch))
        except Exception as exc:
            log.exception("Gateway: a group commit of %d messages failed", len(batch))
            outcomes = [exc] * len(batch)
        for pending, outcome in zip(batch, outcomes, strict=True):
            pending.outcome = outcome
            pending.done.set()


class Gateway:
    """Turn one framed message into its ACK; never raises.

    ``heart_rate_sources`` is the order in which the rules' heart rate is chosen among the
    sources a set carries (``[gateway] heart_rate_sources``).
    """

    def __init__(
        self,
        store: Store,
        now: Callable[[], datetime],
        heart_rate_sources: Sequence[str] = HEART_RATE_SOURCES,
    ) -> None:
        self._store = store
        self._now = now
        self._sources = tuple(heart_rate_sources)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def _control_id(self) -> str:
        with self._lock:
            return f"IM{self._now().strftime('%Y%m%d%H%M%S')}{next(self._ids):06d}"

    def answer(self, message: bytes | Oversized) -> bytes:
        """The ACK for one message: AA once stored, AE/AR with the reason otherwise."""
        header: Header | None = None
        notes: tuple[str, ...] = ()
        try:
            if isinstance(message, Oversized):
                with contextlib.suppress(MessageRefused):
                    header = read_header(decode(message.head))
                raise MessageRefused(
                    REJECT,
                    f"message of {message.size} bytes is larger than {MAX_MESSAGE_BYTES}",
                )
            header = read_header(decode(message))
            reading = parse_oru(message, heart_rate_sources=self._sources)
            outcome = self._store(reading, self._now())
            code, text = ACCEPT, _stored_text(outcome, reading)
            notes = reading.notes
            if reading.notes:
                log.info("Gateway: %s/%s %s", reading.sender, reading.control_id, text)
        except MessageRefused as refused:
            code, text = refused.code, refused.reason
        except UserError as refused:
            code, text = ERROR, refused.message
        except Exception:
            log.exception("Gateway: unexpected error while storing a message")
            code, text = ERROR, "internal error; the message was not stored, send it again"
        if code != ACCEPT:
            log.info("Gateway: %s %s", code, text)
        return ack(header, code, text, self._now(), self._control_id(), notes)


def _stored_text(outcome: Any, reading: MonitorReading) -> str:
    """MSA-3 of an AA: stored (how many sets), and what the message carried that was not used."""
    if getattr(outcome, "duplicate", False):
        return "already stored"
    sets = len(reading.sets)
    text = "stored" if sets == 1 else f"stored {sets} sets"
    if reading.notes:
        text += "; " + "; ".join(reading.notes)
    return text


class _Handler(socketserver.BaseRequestHandler):
    server: _Server

    def handle(self) -> None:
        connection: socket.socket = self.request
        connection.settimeout(self.server.idle_timeout_s)
        decoder = FrameDecoder()
        while not self.server.stopping.is_set():
            try:
                data = connection.recv(_RECV_BYTES)
            except (TimeoutError, OSError):
                return
            if not data:
                return
            try:
                messages = decoder.feed(data)
            except UnframeableError:
                log.info("Gateway: closed a connection that does not speak MLLP")
                return
            for message in messages:
                try:
                    connection.sendall(frame(self.server.gateway.answer(message)))
                except OSError:
                    return


def exclusive_bind(sock: socket.socket, address: tuple[str, int]) -> None:
    """Bind so that a second gateway on the same port fails instead of sharing it.

    POSIX refuses a second listener on a port anyway; SO_REUSEADDR only lets a restarted
    gateway bind while old connections linger. On Windows SO_REUSEADDR would let a second
    program take the port over, so it is never set there and SO_EXCLUSIVEADDRUSE is.
    """
    exclusive = getattr(socket, "SO_EXCLUSIVEADDRUSE", None)  # Windows only
    if exclusive is not None:
        sock.setsockopt(socket.SOL_SOCKET, exclusive, 1)
    else:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(address)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    block_on_close = True

    def __init__(self, address: tuple[str, int], gateway: Gateway, idle_timeout_s: float) -> None:
        self.gateway = gateway
        self.idle_timeout_s = idle_timeout_s
        self.stopping = threading.Event()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:
        exclusive_bind(self.socket, self.server_address)  # type: ignore[arg-type]
        self.server_address = self.socket.getsockname()

    def shutdown_request(self, request: Any) -> None:
        with contextlib.suppress(OSError):
            request.shutdown(socket.SHUT_RDWR)
        request.close()


class GatewayServer:
    """An MLLP listener on ``host:port`` (port 0: any free port) serving in a background thread."""

    def __init__(
        self,
        gateway: Gateway,
        host: str = "127.0.0.1",
        port: int = 2575,
        *,
        idle_timeout_s: float = IDLE_TIMEOUT_S,
    ) -> None:
        self._server = _Server((host, port), gateway, idle_timeout_s)
        self._thread: threading.Thread | None = None

    @property
    def address(self) -> tuple[str, int]:
        """Where it listens (host, port)."""
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> GatewayServer:
        """Serve in a daemon thread; return self."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.2},
            daemon=True,
            name="hl7-gateway",
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until :meth:`stop` is called from another."""
        self._server.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        """Stop accepting, end open connections, close the socket."""
        self._server.stopping.set()
        self._server.shutdown()
        if self._thread is not None:
            self._thread.join()
        self._server.server_close()

    def __enter__(self) -> GatewayServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def running_gateway(
    store_batch: StoreBatch,
    now: Callable[[], datetime],
    host: str,
    port: int,
    *,
    idle_timeout_s: float = IDLE_TIMEOUT_S,
    heart_rate_sources: Sequence[str] = HEART_RATE_SOURCES,
) -> Iterator[GatewayServer]:
    """Serve on ``host:port`` with group commit until the block ends (OSError: cannot listen)."""
    committer = GroupCommitter(store_batch)
    try:
        gateway = Gateway(committer.store, now, heart_rate_sources)
        server = GatewayServer(gateway, host, port, idle_timeout_s=idle_timeout_s)
        with server:
            yield server
    finally:
        committer.close()


def parse_listen(text: str) -> tuple[str, int]:
    """``"127.0.0.1:2575"`` → ``("127.0.0.1", 2575)``; a UserError explains a bad value."""
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise UserError(f"'{text}' is not HOST:PORT (for example 127.0.0.1:2575).")
    return host.strip("[]"), int(port)


def listen_error(host: str, port: int, exc: OSError) -> str:
    """Why the gateway cannot listen, and what to do."""
    taken = exc.errno in (errno.EADDRINUSE, WSAEADDRINUSE)
    if taken or getattr(exc, "winerror", None) in (WSAEADDRINUSE, WSAEACCES):
        return (
            f"Cannot listen on {host}:{port}: another program already uses that port (is a "
            "gateway already running, as a service or in another window?). Stop it, or give "
            "another port with --listen or [gateway] listen."
        )
    return f"Cannot listen on {host}:{port} ({exc.strerror or exc})."
