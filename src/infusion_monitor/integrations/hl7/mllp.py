"""MLLP framing (HL7 v2 over TCP): each message is 0x0B, the message, then 0x1C 0x0D."""

from __future__ import annotations

from dataclasses import dataclass

START = b"\x0b"
END = b"\x1c\x0d"
#: Largest message accepted; a bigger one is read to its end, discarded and refused.
MAX_MESSAGE_BYTES = 256 * 1024
#: How much of an oversized message is kept, to read its MSH for the refusal.
OVERSIZE_HEAD_BYTES = 4096
#: Bytes between frames that are tolerated (line ends some senders add).
_BETWEEN_FRAMES = b"\r\n\t "


class UnframeableError(Exception):
    """The stream carries data outside MLLP frames; the connection should be closed."""


@dataclass(frozen=True)
class Oversized:
    """A frame longer than :data:`MAX_MESSAGE_BYTES`: its first bytes and its full size."""

    head: bytes
    size: int


def frame(message: bytes) -> bytes:
    """Wrap one message in MLLP start and end bytes."""
    return START + message + END


class FrameDecoder:
    """Split a byte stream into messages; feed it what ``recv`` returns.

    Memory stays bounded: past :data:`MAX_MESSAGE_BYTES` a frame is only counted, not kept.
    """

    def __init__(self, max_bytes: int = MAX_MESSAGE_BYTES) -> None:
        self._max = max_bytes
        self._buffer = bytearray()
        self._inside = False
        self._scan = 0
        self._head: bytes | None = None
        self._size = 0

    @property
    def mid_frame(self) -> bool:
        """True while a frame has started and not ended (a truncated stream if it stops here)."""
        return self._inside

    def feed(self, data: bytes) -> list[bytes | Oversized]:
        """Return every message completed by ``data``; raise UnframeableError on stray data."""
        out: list[bytes | Oversized] = []
        buffer = self._buffer
        buffer += data
        while True:
            if not self._inside:
                start = buffer.find(START)
                stray = buffer if start < 0 else buffer[:start]
                if bytes(stray).strip(_BETWEEN_FRAMES):
                    raise UnframeableError("data outside an MLLP frame")
                if start < 0:
                    buffer.clear()
                    return out
                del buffer[: start + 1]
                self._inside, self._scan, self._head, self._size = True, 0, None, 0
            end = buffer.find(END, self._scan)
            if end < 0:
                self._hold()
                return out
            body = bytes(buffer[:end])
            del buffer[: end + len(END)]
            self._inside = False
            if self._head is None and len(body) <= self._max:
                out.append(body)
            elif self._head is None:
                out.append(Oversized(body[:OVERSIZE_HEAD_BYTES], len(body)))
            else:
                out.append(Oversized(self._head, self._size + len(body)))

    def _hold(self) -> None:
        """Keep an unfinished frame, or once it is too big only its head and last byte."""
        buffer = self._buffer
        if self._head is None and len(buffer) <= self._max:
            self._scan = max(0, len(buffer) - 1)  # the end marker may straddle two reads
            return
        if self._head is None:
            self._head = bytes(buffer[:OVERSIZE_HEAD_BYTES])
        self._size += len(buffer) - 1
        del buffer[:-1]
        self._scan = 0
