#!/usr/bin/env python3
"""A TEST RESPONDER, NOT A TLS SERVER: answers a TLS 1.3 ClientHello with its first message
only, so portwarden's key-exchange group detection can be tested against a peer that selects
X25519MLKEM768, which no TLS server in Debian 12 can (OpenSSL 3.0 has no ML-KEM).

For each connection it reads one ClientHello, looks at the groups in its key_share, and:
  - if one of them is in --accept: sends a ServerHello selecting it, with a key_share of the
    size the group's server share has (random bytes: nothing is ever derived from it), then
    a ChangeCipherSpec, and closes;
  - otherwise, by --reject: `alert` sends a fatal handshake_failure alert; `hrr:<codepoint>`
    sends a HelloRetryRequest selecting that group (hex, e.g. hrr:001d).
No handshake is completed: there is no key schedule, no certificate, no Finished.

Usage: tls13_hello_responder.py --accept 11ec[,001d] [--reject alert|hrr:CODEPOINT]
Prints "ready <port>" once listening on 127.0.0.1 (a kernel-chosen port); serves until killed.
"""

import argparse
import os
import socket
import struct
import threading

HRR_RANDOM = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
# Server share sizes: classical groups echo their client size; hybrids carry a KEM ciphertext.
SERVER_SHARE = {0x001D: 32, 0x0017: 65, 0x0018: 97, 0x0019: 133, 0x001E: 56, 0x0100: 256,
                0x0101: 384, 0x11EC: 1088 + 32, 0x11EB: 65 + 1088, 0x11ED: 97 + 1568}
MAX_HELLO = 64 * 1024


def read_exact(conn, size):
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def read_client_hello(conn):
    """The ClientHello body (handshake records reassembled, bounded)."""
    handshake = b""
    while len(handshake) < 4 or len(handshake) < 4 + int.from_bytes(handshake[1:4], "big"):
        kind, _, length = struct.unpack(">BHH", read_exact(conn, 5))
        if kind != 0x16 or len(handshake) + length > MAX_HELLO:
            raise ValueError("not a ClientHello")
        handshake += read_exact(conn, length)
    if handshake[0] != 0x01:
        raise ValueError("not a ClientHello")
    return handshake[4:4 + int.from_bytes(handshake[1:4], "big")]


def offered_shares(body):
    """(session_id, [groups of the key_share entries]) of a ClientHello body."""
    pos = 2 + 32
    session_id = body[pos + 1:pos + 1 + body[pos]]
    pos += 1 + body[pos]
    pos += 2 + int.from_bytes(body[pos:pos + 2], "big")  # cipher suites
    pos += 1 + body[pos]  # compression methods
    end = pos + 2 + int.from_bytes(body[pos:pos + 2], "big")
    pos += 2
    groups = []
    while pos + 4 <= end:
        kind, length = struct.unpack(">HH", body[pos:pos + 4])
        data = body[pos + 4:pos + 4 + length]
        pos += 4 + length
        if kind == 51:  # key_share: client_shares<2..>
            at = 2
            while at + 4 <= len(data):
                group, size = struct.unpack(">HH", data[at:at + 4])
                groups.append(group)
                at += 4 + size
    return session_id, groups


def server_hello(random, session_id, key_share):
    extensions = struct.pack(">HHH", 43, 2, 0x0304)
    extensions += struct.pack(">HH", 51, len(key_share)) + key_share
    body = b"\x03\x03" + random + bytes([len(session_id)]) + session_id + b"\x13\x01\x00"
    body += struct.pack(">H", len(extensions)) + extensions
    message = b"\x02" + len(body).to_bytes(3, "big") + body
    return struct.pack(">BHH", 0x16, 0x0303, len(message)) + message


def answer(conn, accept, reject):
    session_id, groups = offered_shares(read_client_hello(conn))
    chosen = next((g for g in groups if g in accept), None)
    if chosen is not None:
        share = os.urandom(SERVER_SHARE.get(chosen, 32))
        reply = server_hello(os.urandom(32), session_id,
                             struct.pack(">HH", chosen, len(share)) + share)
        reply += b"\x14\x03\x03\x00\x01\x01"  # ChangeCipherSpec, as real servers send next
    elif reject.startswith("hrr:"):
        reply = server_hello(HRR_RANDOM, session_id, struct.pack(">H", int(reject[4:], 16)))
    else:
        reply = b"\x15\x03\x03\x00\x02\x02\x28"  # fatal handshake_failure
    conn.sendall(reply)


def serve(conn, accept, reject):
    with conn:
        try:
            conn.settimeout(10)
            answer(conn, accept, reject)
        except (OSError, EOFError, ValueError):
            pass


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accept", default="", help="comma-separated hex codepoints")
    parser.add_argument("--reject", default="alert", help="alert | hrr:<hex codepoint>")
    args = parser.parse_args()
    accept = {int(c, 16) for c in args.accept.split(",") if c}
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    print("ready", listener.getsockname()[1], flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, accept, args.reject), daemon=True).start()


if __name__ == "__main__":
    main()
