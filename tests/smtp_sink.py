"""An aiosmtpd server whose answers a test can script: "421 busy" twice, then "250 OK"."""

import socket
import threading
from collections import deque
from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Handler:
    def __init__(self, sink: "SmtpSink") -> None:
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        with self.sink.lock:
            answer = self.sink.answers.popleft() if self.sink.answers else "250 OK"
            if answer.startswith("250"):
                self.sink.messages.append(message_from_bytes(envelope.original_content))
        return answer


class SmtpSink:
    def __init__(self) -> None:
        self.port = free_port()
        self.answers: deque[str] = deque()
        self.messages: list[Message] = []
        self.lock = threading.Lock()
        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def start(self) -> None:
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()

    def script(self, *answers: str) -> None:
        self.answers.extend(answers)

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["To"]]
