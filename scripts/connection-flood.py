#!/usr/bin/env python3
"""Opens many silent and half-open connections to a running Wijkwijzer and checks that normal
requests are still answered meanwhile (issue 12: 1,100 silent connections under `ulimit -n
1024` used to make `accept` fail for everyone).

    ulimit -n 1024; wijkwijzer serve &          # the server with few file descriptors
    scripts/connection-flood.py --connections 1100 --url http://127.0.0.1:8080

This script needs more descriptors than it opens (`ulimit -n 4096` in its own shell). Prints
how many connections the server closed and the time of each normal request.
"""

import argparse
import socket
import time
import urllib.request
from urllib.parse import urlparse


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8080")
    parser.add_argument("--connections", type=int, default=1100)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args()
    target = urlparse(args.url)
    host, port = target.hostname, target.port or 80

    hostile = []
    opened = failed = 0
    for i in range(args.connections):
        try:
            s = socket.create_connection((host, port), timeout=5)
            if i % 2:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            hostile.append(s)
            opened += 1
        except OSError:
            failed += 1
    print(f"opened {opened} silent/half-open connections ({failed} failed to connect)")

    times = []
    for path in ["/healthz", "/api/v1/search?q=eenzaam", "/zoeken?q=schulden", "/"] * (
        args.requests // 4
    ):
        started = time.monotonic()
        with urllib.request.urlopen(args.url + path, timeout=30) as response:
            response.read()
            assert response.status == 200, (path, response.status)
        times.append(time.monotonic() - started)
    times.sort()
    print(
        f"{len(times)} normal requests: all 200; median {times[len(times) // 2] * 1000:.0f} ms, "
        f"slowest {times[-1] * 1000:.0f} ms"
    )

    closed = 0
    for s in hostile:
        s.setblocking(False)
        try:
            if s.recv(1) == b"":
                closed += 1
        except BlockingIOError:
            pass
        except OSError:
            closed += 1
    print(f"the server had closed {closed} of the {opened} hostile connections")


if __name__ == "__main__":
    main()
