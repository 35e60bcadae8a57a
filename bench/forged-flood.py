#!/usr/bin/env python3
"""A forger aims new sources of one /24 at the service, and counts what the service sends that /24.

    sudo bench/forged-flood.py --target 127.0.0.1:7561 [--target 127.0.0.1:7562] --rate 400 --duration 90

Loopback only. Every forged source (a new address and port of --prefix.0/24 each time, written whole
to a raw socket, so root is needed) uses the port of one of our sink sockets, so the pings the
service sends it arrive here and are counted per second. Beside the flood, --clients real clients
from another /24 heartbeat every --heartbeat seconds, and every interval between their pings is
measured. Run the service with PREFIX_LIMITS_EXEMPT=none (or an exemption that leaves --prefix out).
"""
import argparse
import os
import random
import selectors
import socket
import struct
import threading
import time


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", action="append", required=True, help="host:port of a gateway; repeat for several (the flood alternates)")
    parser.add_argument("--rate", type=float, default=400, help="new forged sources a second")
    parser.add_argument("--duration", type=float, default=90, help="seconds of flood")
    parser.add_argument("--after", type=float, default=15, help="seconds to go on measuring after the flood")
    parser.add_argument("--prefix", default="127.1.2", help="the forged sources' /24")
    parser.add_argument("--sinks", type=int, default=160, help="sink ports: sources are address x port, so this many x 254 distinct ones")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--client-prefix", default="127.0.3")
    parser.add_argument("--heartbeat", type=float, default=5)
    parser.add_argument("--window", type=float, default=30, help="the last seconds of the flood the steady rate is taken over")
    return parser.parse_args()


def endpoint(text):
    host, port = text.rsplit(":", 1)
    return host, int(port)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def forged(source, destination, payload):
    """An IPv4 datagram with any source, UDP checksum left out (allowed over IPv4)."""
    length = 20 + 8 + len(payload)
    header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, length, 0, 0, 64, socket.IPPROTO_UDP, 0,
                         socket.inet_aton(source[0]), socket.inet_aton(destination[0]))
    header = header[:10] + struct.pack("!H", checksum(header)) + header[12:]
    return header + struct.pack("!HHHH", source[1], destination[1], 8 + len(payload), 0) + payload


def main():
    args = parse_args()
    targets = [endpoint(t) for t in args.target]
    target_ports = {port for _, port in targets}
    if any(not host.startswith("127.") for host, _ in targets) or not args.prefix.startswith("127."):
        raise SystemExit("loopback only")
    if os.geteuid() != 0:
        raise SystemExit("forging needs a raw socket: run as root")

    selector = selectors.DefaultSelector()
    sinks = []
    for _ in range(args.sinks):
        sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sink.bind(("0.0.0.0", 0))
        sink.setblocking(False)
        selector.register(sink, selectors.EVENT_READ, "sink")
        sinks.append(sink)
    clients = []
    for i in range(args.clients):
        client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        client.bind((f"{args.client_prefix}.{1 + i % 250}", 0))
        client.setblocking(False)
        selector.register(client, selectors.EVENT_READ, i)
        clients.append(client)

    start = time.monotonic()
    flood_end = start + args.duration
    end = flood_end + args.after
    sink_pings = {}           # second since start -> pings to the forged /24
    client_pings = [[] for _ in clients]
    sent = [0]

    def flood():
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
        ports = [s.getsockname()[1] for s in sinks]
        sources = [(f"{args.prefix}.{a}", p) for p in ports for a in range(1, 255)]
        random.shuffle(sources)
        n = 0
        while True:
            due = start + n / args.rate
            if due >= flood_end:
                return
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            source = sources[n % len(sources)]
            destination = targets[n % len(targets)]
            raw.sendto(forged(source, destination, b"\0\0"), (destination[0], 0))
            n += 1
            sent[0] = n

    def heartbeats():
        n = 0
        while True:
            due = start + n * args.heartbeat
            if due >= end - 2:
                return
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            for i, client in enumerate(clients):
                client.sendto(b"\0\0", targets[i % len(targets)])
            n += 1

    threads = [threading.Thread(target=flood, daemon=True), threading.Thread(target=heartbeats, daemon=True)]
    for thread in threads:
        thread.start()
    while (now := time.monotonic()) < end:
        for key, _ in selector.select(timeout=min(0.2, end - now)):
            while True:
                try:
                    data, origin = key.fileobj.recvfrom(64)
                except BlockingIOError:
                    break
                arrived = time.monotonic()
                if origin[1] not in target_ports:
                    continue
                if key.data == "sink":
                    second = int(arrived - start)
                    sink_pings[second] = sink_pings.get(second, 0) + 1
                else:
                    client_pings[key.data].append(arrived)

    window = range(int(args.duration - args.window), int(args.duration))
    steady = [sink_pings.get(s, 0) for s in window]
    after = [sink_pings.get(s, 0) for s in range(int(args.duration), int(args.duration + args.after))]
    intervals = [b - a for pings in client_pings for a, b in zip(pings, pings[1:])]
    on_time = sum(1 for i in intervals if abs(i - 1.0) <= 0.050)
    missed = sum(1 for i in intervals if i > 1.5)
    print(f"flood: {sent[0]} forged new sources from {args.prefix}.0/24 in {args.duration:.0f} s ({args.rate:.0f}/s) at {', '.join(args.target)}")
    print(f"pings into {args.prefix}.0/24, the flood's last {args.window:.0f} s: mean {sum(steady) / max(1, len(steady)):.0f}/s, max {max(steady, default=0)}/s; "
          f"the {args.after:.0f} s after it: max {max(after, default=0)}/s")
    print(f"pings/s into the /24 by second: {' '.join(str(sink_pings.get(s, 0)) for s in range(int(args.duration + args.after)))}")
    print(f"real clients: {args.clients} from {args.client_prefix}.0/24, {len(intervals)} intervals, "
          f"{on_time / max(1, len(intervals)):.3%} within 1000 ± 50 ms, {missed} over 1.5 s, "
          f"{sum(1 for p in client_pings if not p)} never pinged")


if __name__ == "__main__":
    main()
