"""The wire format between the trusted test process and the worker: framing and safe decoding.

Both sides exchange *messages*: trees of Python builtins (None, bool, int, float, complex,
str, bytes and tuples, lists and dicts of them) pickled with protocol 5 and framed with an
8-byte length. What the worker sends is untrusted, so :func:`loads` unpickles with a
:class:`pickle.Unpickler` whose ``find_class`` refuses every global but ``complex``: a
crafted message can describe data, never run code or build an object of the sender's
choosing. Everything richer than builtins (arrays, handles to the other side's objects,
exceptions) is spelled as a tagged tuple by :mod:`codec` and rebuilt by the receiver.

This module imports nothing from ``autograder``: the worker loads it as a plain file.
"""

from __future__ import annotations

import io
import os
import pickle
import select
import socket
import struct
import time
from typing import Any

#: Largest message either side accepts (a batch of arrays plus headroom).
MAX_MESSAGE = 1 << 30
_HEADER = struct.Struct("!Q")
#: The only globals a message may name: what pickle itself needs for complex numbers.
_ALLOWED_GLOBALS = {("builtins", "complex")}


class WireError(ConnectionError):
    """The peer closed the connection, sent a malformed message, or did not answer in time."""


class PeerTimeout(WireError):
    """No message arrived before the deadline."""


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"message names a forbidden global {module}.{name}")


def dumps(tree: Any) -> bytes:
    """Serialise a message tree (builtins only)."""
    return pickle.dumps(tree, protocol=5)


def loads(data: bytes) -> Any:
    """Deserialise a message tree, refusing anything but builtins."""
    try:
        return _SafeUnpickler(io.BytesIO(data)).load()
    except Exception as exc:  # any malformed input is the peer's fault, never ours
        raise WireError(f"malformed message from the peer: {type(exc).__name__}: {exc}") from None


class Connection:
    """Length-framed messages over a connected stream socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sock.setblocking(True)

    @classmethod
    def from_fd(cls, fd: int) -> Connection:
        return cls(socket.socket(fileno=fd))

    def fileno(self) -> int:
        return self.sock.fileno()

    def send(self, tree: Any) -> None:
        data = dumps(tree)
        try:
            self.sock.sendall(_HEADER.pack(len(data)) + data)
        except OSError as exc:
            raise WireError(f"the peer is gone ({exc})") from None

    def _read_exactly(self, n: int, deadline: float | None) -> bytes:
        chunks, got = [], 0
        while got < n:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                    raise PeerTimeout("no answer before the deadline")
            try:
                chunk = self.sock.recv(min(n - got, 1 << 22))
            except OSError as exc:
                raise WireError(f"the peer is gone ({exc})") from None
            if not chunk:
                raise WireError("the peer closed the connection")
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def recv(self, deadline: float | None = None) -> Any:
        """The next message; ``deadline`` is a ``time.monotonic()`` value or None."""
        (size,) = _HEADER.unpack(self._read_exactly(_HEADER.size, deadline))
        if size > MAX_MESSAGE:
            raise WireError(f"message of {size} bytes is larger than {MAX_MESSAGE}")
        return loads(self._read_exactly(size, deadline))

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass


def socketpair() -> tuple[socket.socket, socket.socket]:
    """A connected pair; the second end is inheritable (for the worker)."""
    a, b = socket.socketpair()
    os.set_inheritable(b.fileno(), True)
    return a, b
