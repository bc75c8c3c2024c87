"""``stjarna cache purge``: force a restaurant's new menu version everywhere (docs/operations.md
"Support"); the bump is audited with its actor."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from shared.cli.output import EXIT_UNAVAILABLE, actor, command, container, group, print_json, with_json


def cmd_purge(args: argparse.Namespace) -> int:
    from shared.helpdesk.tenant import purge

    result = purge(container(), args.restaurant, actor(args))
    cdn = result["cdn"]
    failed = cdn is not None and "error" in cdn
    if args.json:
        print_json(result)
        return EXIT_UNAVAILABLE if failed else 0
    print(f"{result['slug']}: menu version {result['previousVersion']} -> {result['version']} (audited); every "
          f"instance serves the new version within {result['localCacheSeconds']:g} s, through a new KV key and ETag")
    if cdn is None:
        print(f"CDN: no CLOUDFRONT_DISTRIBUTION_ID; CDN copies are revalidated within s-maxage "
              f"({result['cdnMaxAgeSeconds']} s)")
    elif failed:
        print(f"CDN: invalidation FAILED: {cdn['error']}; the CDN serves its copies for up to "
              f"{result['cdnMaxAgeSeconds']} s; run the purge again", file=sys.stderr)
    else:
        print(f"CDN: CloudFront {cdn['distributionId']} invalidation {cdn['invalidationId']} ({cdn['status']}) "
              f"for {', '.join(cdn['paths'])}")
    return EXIT_UNAVAILABLE if failed else 0


def register(sub: Any) -> None:
    cache = group(sub, "cache", "Caches: force a restaurant's new menu version everywhere.")
    purge = with_json(command(cache, "purge", cmd_purge, "Bump a restaurant's menu version (audited) and, with "
                              "CLOUDFRONT_DISTRIBUTION_ID, invalidate its menu and config on the CDN."), "a report")
    purge.add_argument("restaurant", help="slug or id")
    purge.add_argument("--actor", help="who is making the change (default: your user name)")
