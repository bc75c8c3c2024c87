"""Lists of client addresses and networks (the ``BLOCKED_CLIENTS`` flag; docs/flags.md): parsed once
per distinct text, matched per request. IPv4 and IPv6, single addresses or CIDR blocks; an
IPv4-mapped IPv6 address (``::ffff:203.0.113.7``) matches as its IPv4 address.

Parsing refuses what would be a mistake: anything that is not an address or a network, host bits
set in a block (``198.51.100.7/24``: did you mean ``198.51.100.0/24``?), and blocks wider than
``/8`` (IPv4) or ``/16`` (IPv6), which would shut out whole providers (turn a feature off instead).
"""

from __future__ import annotations

import functools
import ipaddress
import re

__all__ = ["MAX_ENTRIES", "blocked", "normalise_networks"]

MAX_ENTRIES = 500
_MIN_PREFIX = {4: 8, 6: 16}
_SPLIT = re.compile(r"[\s,]+")


def normalise_networks(raw: str) -> str:
    """``raw`` (addresses and CIDR blocks, separated by commas or spaces) as canonical text, one
    ``, ``-separated network each, duplicates dropped, in order; ``ValueError`` naming each bad entry."""
    entries = [e for e in _SPLIT.split(raw.strip()) if e]
    if len(entries) > MAX_ENTRIES:
        raise ValueError(f"at most {MAX_ENTRIES} addresses or networks, not {len(entries)}")
    problems: list[str] = []
    found: dict[str, None] = {}
    for entry in entries:
        try:
            network = ipaddress.ip_network(entry, strict=True)
        except ValueError:
            try:
                loose = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                problems.append(f"{entry!r} is not an IP address or CIDR network")
            else:
                problems.append(f"{entry!r} has host bits set: did you mean {loose}?")
            continue
        if network.prefixlen < _MIN_PREFIX[network.version]:
            problems.append(f"{entry!r} is wider than /{_MIN_PREFIX[network.version]}")
            continue
        single = network.prefixlen == network.max_prefixlen
        found[str(network.network_address) if single else str(network)] = None
    if problems:
        raise ValueError("; ".join(problems))
    return ", ".join(found)


# Per IP version: for each prefix length in the list, (bits to shift away, the networks so shifted): a
# lookup costs one shift and one set membership per distinct prefix length, whatever the list's size.
Compiled = dict[int, tuple[tuple[int, frozenset[int]], ...]]


@functools.lru_cache(maxsize=64)
def _compiled(text: str) -> Compiled:
    """A normalised list, compiled; an entry that does not parse is skipped (the flag's validation
    refused it on the way in)."""
    by_length: dict[tuple[int, int], set[int]] = {}
    for entry in _SPLIT.split(text.strip()):
        try:
            network = ipaddress.ip_network(entry, strict=False)
        except ValueError:
            continue
        shift = network.max_prefixlen - network.prefixlen
        by_length.setdefault((network.version, shift), set()).add(int(network.network_address) >> shift)
    return {version: tuple((shift, frozenset(nets)) for (v, shift), nets in sorted(by_length.items()) if v == version)
            for version in (4, 6)}


def blocked(address: str, networks: str) -> bool:
    """Whether ``address`` is in the list ``networks`` (text as the flag holds it). An address that
    does not parse is not blocked (it is not an address anyone can list)."""
    if not networks:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    value = int(ip)
    return any(value >> shift in nets for shift, nets in _compiled(networks)[ip.version])
