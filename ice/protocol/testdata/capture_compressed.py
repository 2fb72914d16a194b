#!/usr/bin/python3
"""Captures a bzip2-compressed request sent by real Ice 3.7 (Python).

A raw TCP server (no Ice library) sends ValidateConnection, reads one message, prints it as hex
and answers OK with an empty 1.1 encapsulation. The client is a Python Ice 3.7 proxy with
ice_compress(True) calling "echo" with a 300-character string, so that the request is >= 100
bytes and goes out compressed (ice-protocol.md §1.3).

Usage: /usr/bin/python3 capture_compressed.py > compressed_request.hex
"""
import socket
import struct
import sys
import threading

import Ice

VALIDATE = bytes.fromhex("49636550010001000300" "0e000000")


def serve(ln, out):
    s, _ = ln.accept()
    s.sendall(VALIDATE)
    hdr = b""
    while len(hdr) < 14:
        hdr += s.recv(14 - len(hdr))
    size = struct.unpack("<i", hdr[10:14])[0]
    body = b""
    while len(body) < size - 14:
        body += s.recv(size - 14 - len(body))
    out.append(hdr + body)
    request_id = body[:4]
    reply = request_id + b"\x00" + bytes.fromhex("060000000101")
    s.sendall(bytes.fromhex("49636550010001000200") + struct.pack("<i", 14 + len(reply)) + reply)
    s.recv(14)  # the client's CloseConnection
    s.close()


def main():
    ln = socket.socket()
    ln.bind(("127.0.0.1", 0))
    ln.listen(1)
    port = ln.getsockname()[1]
    got = []
    t = threading.Thread(target=serve, args=(ln, got))
    t.start()
    with Ice.initialize(sys.argv) as comm:
        p = comm.stringToProxy("test:tcp -h 127.0.0.1 -p %d -t 5000" % port).ice_compress(True)
        out = Ice.OutputStream(comm, Ice.EncodingVersion(1, 1))
        out.startEncapsulation()
        out.writeString("hello " * 50)
        out.endEncapsulation()
        ok, _ = p.ice_invoke("echo", Ice.OperationMode.Normal, out.finished())
        assert ok
    t.join()
    msg = got[0]
    for i in range(0, len(msg), 16):
        print(" ".join("%02x" % b for b in msg[i:i + 16]))


if __name__ == "__main__":
    main()
