#!/usr/bin/env python3
"""The benchmark's provider: a loopback mock of the dynv6 and dyndns2 update APIs.

    mock.py --ports-file FILE --log FILE [--cert PEM --key PEM]

Serves plain HTTP, and HTTPS when a certificate is given, each on 127.0.0.1 with a
port the kernel picks; writes "http PORT" and "https PORT" lines to the ports file
once both listen. Every request appends one line "REQ SCHEME PATH" to the log, so
the bench can count what each scenario sent (a no-op or held run must send nothing).

Answers (stateless, so every timed update gets the same work):
  /api/update   (dynv6)    200 "addresses updated"; 401 for a host held*.* (hostname= or zone=)
  /nic/update   (dyndns2)  200 "good IP";           200 "badauth" for held*.*
  anything else            404
"""

import argparse
import http.server
import os
import socket
import ssl
import sys
import threading
import urllib.parse

FATAL_PREFIX = "held"  # of the first label: held.example.test, held4.example.test


class Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 with Content-Length; the clients close after one request anyway.
    protocol_version = "HTTP/1.1"
    # Headers and body are separate writes: without TCP_NODELAY the body waits for
    # the client's delayed ACK (40 ms on Linux) and every client looks slow.
    disable_nagle_algorithm = True
    log_lock = threading.Lock()
    log_fd = -1
    scheme = "http"

    def do_GET(self):
        line = "REQ %s %s\n" % (self.scheme, self.path)
        with Handler.log_lock:
            os.write(Handler.log_fd, line.encode())
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        # dyndns2 and dynv6.sh send hostname=, dynup's dynv6 API requests zone=.
        host = query.get("hostname", query.get("zone", [""]))[0]
        fatal = host.split(".")[0].startswith(FATAL_PREFIX)
        if url.path == "/api/update":
            status, body = (401, "invalid authentication token") if fatal else (200, "addresses updated")
        elif url.path == "/nic/update":
            ip = query.get("myip", [self.client_address[0]])[0]
            status, body = (200, "badauth") if fatal else (200, "good " + ip)
        else:
            status, body = 404, "not found"
        data = (body + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


class HttpsHandler(Handler):
    scheme = "https"


def serve(handler, context):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    # Accepted sockets inherit TCP_NODELAY from the listening socket on Linux, so
    # the TLS handshake flights are not held back either.
    server.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if context is not None:
        # The handshake runs in the worker thread, not inside accept() in the main one.
        server.socket = context.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server.server_address[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ports-file", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()

    Handler.log_fd = os.open(args.log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    lines = ["http %d" % serve(Handler, None)]
    if args.cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.cert, args.key)
        lines.append("https %d" % serve(HttpsHandler, context))
    tmp = args.ports_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.rename(tmp, args.ports_file)
    threading.Event().wait()


if __name__ == "__main__":
    sys.exit(main())
