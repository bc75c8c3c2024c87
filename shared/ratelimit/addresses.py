"""Client addresses as limits count them, and the keyed hash every limiter key and log line uses.

- ``limit_address``: an IPv4 address as is; an IPv6 address as its /64 (one subscriber's network: a
  client holds the whole /64 and can rotate through it), IPv4-mapped IPv6 as the IPv4 address.
- ``Pseudonyms``: BLAKE2b keyed with ``CLIENT_HASH_SECRET``. Unkeyed, the hash of an IPv4 address is
  reversed by hashing all 2³² of them; keyed, it is a pseudonym only the secret's holder can link.
"""

from __future__ import annotations

import functools
import hashlib
import ipaddress

__all__ = ["Pseudonyms", "limit_address"]


def limit_address(address: str) -> str:
    """The part of ``address`` a limit counts (text that is no IP address is returned unchanged)."""
    if ":" not in address:  # IPv4 as the platform writes it (or "testclient"): as is, at no cost
        return address
    return _ipv6_network(address)


@functools.lru_cache(maxsize=4096)
def _ipv6_network(address: str) -> str:
    try:
        ip = ipaddress.IPv6Address(address)
    except ValueError:
        return address
    if ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return f"{ipaddress.IPv6Address(ip.packed[:8] + bytes(8))}/64"


class Pseudonyms:
    """``digest(value)``: 24 hex characters, keyed; ``address(ip)``: the digest of ``limit_address(ip)``."""

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(secret.encode("utf-8", "surrogatepass")).digest()  # BLAKE2b keys: <= 64 bytes

    def digest(self, value: str) -> str:
        return hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=12, key=self._key).hexdigest()

    def address(self, ip: str) -> str:
        return self.digest(limit_address(ip))
