"""The socket between the judge and a sandboxed worker: frames, deadlines, and the two serving loops.

A frame is 8 bytes of length, one byte of kind, then the payload. The judge sends ``Q`` (a request)
and ``R`` (the answer to a callback); the worker sends ``A`` (an answer) and ``C`` (a callback). Both
sides wait for their answer while serving what arrives in between, so a callback may itself call
back into the worker. Only the judge has a time limit, a budget of seconds spent waiting for the worker:
a worker that does not answer within what is left of it, or closes the socket, is lost (``WorkerLost``)
and the judge's caller decides what that costs.
"""
from __future__ import annotations

import select
import socket
import struct
import time

from autograder.harness.session import WorkerLost

MAX_FRAME = 1 << 30


def send_frame(sock: socket.socket, kind: bytes, payload: bytes) -> None:
    sock.sendall(struct.pack("<Qc", len(payload), kind) + payload)


class FrameReader:
    """Reads frames from ``sock``; ``read(deadline)`` raises ``WorkerLost`` past the deadline or at EOF."""

    def __init__(self, sock: socket.socket, peer: str = "the grading process"):
        self.sock, self.peer, self.buffer = sock, peer, bytearray()

    def _fill(self, n: int, deadline: float | None) -> None:
        while len(self.buffer) < n:
            if deadline is not None:
                left = deadline - time.monotonic()
                if left <= 0 or not select.select([self.sock], [], [], left)[0]:
                    raise WorkerLost("it ran past the time limit", timed_out=True)
            try:
                chunk = self.sock.recv(1 << 20)
            except OSError as e:
                raise WorkerLost(f"{self.peer} closed the connection ({e})") from None
            if not chunk:
                raise WorkerLost(f"{self.peer} ended")
            self.buffer += chunk

    def read(self, deadline: float | None = None) -> tuple[bytes, bytes]:
        self._fill(9, deadline)
        length, kind = struct.unpack("<Qc", bytes(self.buffer[:9]))
        if length > MAX_FRAME:
            raise WorkerLost(f"{self.peer} sent an oversized message")
        self._fill(9 + length, deadline)
        payload = bytes(self.buffer[9:9 + length])
        del self.buffer[:9 + length]
        return kind, payload


class SocketLink:
    """The judge's link to a worker in another process (``session.Session`` calls ``request``)."""

    def __init__(self, sock: socket.socket, on_callback=None):
        self.sock, self.reader = sock, FrameReader(sock)
        self.on_callback = on_callback
        self.budget: float | None = None     # seconds left for the worker, over every request (None: no limit)
        self.deadline: float | None = None   # ... and the wall clock's end, whatever the judge's share of it

    def allow(self, seconds: float, wall_factor: float = 3.0) -> None:
        """From now on, the worker may take ``seconds`` in all; the wall clock ends at ``wall_factor`` times that
        (the rest is the judge's own work)."""
        self.budget, self.deadline = seconds, time.monotonic() + wall_factor * seconds

    def request(self, data: bytes) -> bytes:
        """Send a request and serve the worker's callbacks until its answer. Only the time spent waiting for the
        worker is taken from ``budget``: the judge's own work (references, comparisons, callbacks) is not the
        student's time. ``deadline`` bounds the whole (a worker that keeps the judge busy with callbacks)."""
        try:
            send_frame(self.sock, b"Q", data)
        except OSError as e:
            raise WorkerLost(f"the grading process is gone ({e})") from None
        while True:
            start = time.monotonic()
            try:
                ends = [t for t in (None if self.budget is None else start + self.budget, self.deadline)
                        if t is not None]
                kind, payload = self.reader.read(min(ends) if ends else None)
            finally:
                if self.budget is not None:
                    self.budget -= time.monotonic() - start
            if kind == b"A":
                return payload
            if kind == b"C":
                reply = self.on_callback(payload)
                try:
                    send_frame(self.sock, b"R", reply)
                except OSError as e:
                    raise WorkerLost(f"the grading process is gone ({e})") from None
                continue
            raise WorkerLost("the grading process sent a message that is not part of the protocol")


def serve(sock: socket.socket, worker) -> None:
    """The worker's loop: answer requests until the judge closes the socket."""
    reader = FrameReader(sock, "the grader")

    def callback(payload: bytes) -> bytes:
        send_frame(sock, b"C", payload)
        while True:
            kind, data = reader.read()
            if kind == b"R":
                return data
            if kind == b"Q":
                send_frame(sock, b"A", worker.handle(data))

    worker.send_callback = callback
    while True:
        try:
            kind, data = reader.read()
        except WorkerLost:
            return
        if kind == b"Q":
            send_frame(sock, b"A", worker.handle(data))
