"""Real receivers on 127.0.0.1 for the delivery stories: an SMTP server and a webhook endpoint.

Both run in threads of the test process and keep what they acknowledged, so a story can
count what was delivered, whichever process sent it.
"""
import email
import http.server
import socketserver
import threading


class _SmtpSession(socketserver.StreamRequestHandler):
    def handle(self):
        self._reply("220 sink ESMTP")
        while line := self.rfile.readline():
            verb = line[:4].decode("ascii", "replace").upper()
            if verb == "EHLO":
                self.wfile.write(b"250-sink\r\n250 8BITMIME\r\n")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                if not self.server.sink.accept(self._read_message()):
                    return  # held, never acknowledged: the connection just goes
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:  # HELO, MAIL, RCPT, RSET, NOOP
                self._reply("250 OK")

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode() + b"\r\n")

    def _read_message(self) -> bytes:
        lines = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)


class SmtpSink:
    """Keeps every message it acknowledges (250 after DATA), as a mail server does.

    After `hold(n)` the n-th message is received but never acknowledged: `held` is set and the
    session waits until `release` is set, as a server that stalls. An unacknowledged message is
    not delivered, so it is not kept.
    """

    def __init__(self):
        self.messages: list[email.message.Message] = []
        self.held = threading.Event()
        self.release = threading.Event()
        self._hold_at = None
        self._received = 0
        self._lock = threading.Lock()
        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SmtpSession)
        self._server.daemon_threads = True
        self._server.sink = self
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def hold(self, number: int) -> None:
        self._hold_at = number

    def accept(self, raw: bytes) -> bool:
        with self._lock:
            self._received += 1
            hold = self._received == self._hold_at
            if not hold:
                self.messages.append(email.message_from_bytes(raw))
        if hold:
            self.held.set()
            self.release.wait(60)
        return not hold

    def addressees(self) -> list[str]:
        with self._lock:
            return sorted(message["To"] for message in self.messages)

    def close(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()


class _WebhookHandler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(self.server.receiver.record(dict(self.headers), body))
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):
        pass


class WebhookReceiver:
    """Answers each POST with the next of `statuses` (the last one repeats) and keeps
    (headers, body, status) of every call."""

    def __init__(self, statuses=(200,)):
        self.calls: list[tuple[dict, bytes, int]] = []
        self._statuses = list(statuses)
        self._lock = threading.Lock()
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _WebhookHandler)
        self._server.receiver = self
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/portcullis-hook"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def record(self, headers: dict, body: bytes) -> int:
        with self._lock:
            status = self._statuses[min(len(self.calls), len(self._statuses) - 1)]
            self.calls.append((headers, body, status))
        return status

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
