"""Imported first in a subprocess: blocks and logs every connection or lookup that is not loopback.

The log file (NETGUARD_LOG) lets a test see attempts a library caught and hid.
"""

import ipaddress
import os
import socket

_LOG = os.environ["NETGUARD_LOG"]
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "", None}


def _is_loopback(host) -> bool:
    if isinstance(host, bytes):
        host = host.decode()
    if host in _LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _block(what: str, host) -> None:
    with open(_LOG, "a") as log:
        log.write(f"{what} {host}\n")
    raise ConnectionRefusedError(f"netguard: {what} to {host} blocked")


def _guard_address(what, original):
    def guarded(self, address, *args):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address[0]):
            _block(what, address[0])
        return original(self, address, *args)

    return guarded


_getaddrinfo = socket.getaddrinfo


def _guarded_getaddrinfo(host, *args, **kwargs):
    if not _is_loopback(host):
        _block("getaddrinfo", host)
    return _getaddrinfo(host, *args, **kwargs)


socket.socket.connect = _guard_address("connect", socket.socket.connect)
socket.socket.connect_ex = _guard_address("connect_ex", socket.socket.connect_ex)
socket.getaddrinfo = _guarded_getaddrinfo
