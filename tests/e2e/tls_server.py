#!/usr/bin/env python3
"""A tiny HTTPS (or plain-HTTP redirecting) server for the end-to-end test.

Binds HOST on a port the kernel chooses, prints that port on stdout, then serves until killed.
  tls_server.py tls HOST CERT_CHAIN_PEM KEY_PEM
  tls_server.py redirect HOST HTTPS_PORT      (301 to https://HOST:HTTPS_PORT/)
"""
import http.server
import ssl
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    redirect_to = None

    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.redirect_to:
            self.send_response(301)
            self.send_header("Location", self.redirect_to + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = b"portwarden e2e\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def main():
    mode, host = sys.argv[1], sys.argv[2]
    server = http.server.ThreadingHTTPServer((host, 0), Handler)
    if mode == "tls":
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(sys.argv[3], sys.argv[4])
        server.socket = ctx.wrap_socket(server.socket, server_side=True)
    else:
        Handler.redirect_to = f"https://{host}:{sys.argv[3]}"
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
