"""Health of ckanext-harvest's consumer processes: is a consumer waiting on its Redis queue?

A consumer is ready when it is blocked in ``BLPOP`` on Redis. Redis lists its clients with their
address; ``/proc`` tells which local ports belong to a process. Used by the test fixtures and the
benchmark that start consumers as separate processes (``services/harvest.sh`` does the same in
bash).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

__all__ = ["socket_ports", "waiting_on_queue"]


def socket_ports(pid: int) -> set[int]:
    """Local TCP ports of the sockets process ``pid`` holds (from /proc, no extra package)."""
    inodes = set()
    try:
        for fd in os.listdir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return set()
    ports = set()
    for table in (f"/proc/{pid}/net/tcp", f"/proc/{pid}/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def waiting_on_queue(redis_conn: Any, pid: int) -> bool:
    """True when process ``pid`` is blocked in BLPOP on this Redis: the consumer is ready."""
    ports = socket_ports(pid)
    return any(
        client.get("cmd") == "blpop" and int(client["addr"].rsplit(":", 1)[1]) in ports
        for client in redis_conn.client_list()
    )
