"""CloudFront invalidations for ``stjarna cache purge``: the adapter (boto3 is imported here only,
lazily: the CLI needs the ``aws`` extra, the Lambda runtime ships boto3).

The CDN caches the public menu and config per full URL, query string included, so a restaurant's
paths are named with the query string the widget sends (``?restaurantId=<slug or id>``, lower case),
in both forms an embed may use.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.errors import ServiceUnavailable

TIMEOUT_SECONDS = 10.0  # connect and read, one attempt: the operator sees a failure and runs it again
CACHED_ROUTES = ("/api/public/menu", "/api/public/config")


def restaurant_paths(restaurant_id: str, slug: str) -> list[str]:
    """The CDN paths of one restaurant's menu and config, by slug and by id."""
    return [f"{route}?restaurantId={ref}" for route in CACHED_ROUTES for ref in (slug, restaurant_id.lower())]


class CloudFrontInvalidator:
    def __init__(self, distribution_id: str, *, timeout_seconds: float = TIMEOUT_SECONDS) -> None:
        import boto3
        from botocore.config import Config

        self.distribution_id = distribution_id
        self._client: Any = boto3.client(
            "cloudfront", config=Config(connect_timeout=timeout_seconds, read_timeout=timeout_seconds,
                                        retries={"max_attempts": 1, "mode": "standard"}))

    def invalidate(self, paths: Sequence[str], reference: str) -> dict[str, Any]:
        """Create one invalidation; ``reference`` makes a repeated call with the same reference return
        the same invalidation (CloudFront's CallerReference). ``ServiceUnavailable`` when it fails."""
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            response = self._client.create_invalidation(
                DistributionId=self.distribution_id,
                InvalidationBatch={"Paths": {"Quantity": len(paths), "Items": list(paths)},
                                   "CallerReference": reference})
        except ClientError as exc:
            error = exc.response.get("Error", {})
            raise ServiceUnavailable(f"CloudFront refused the invalidation of {self.distribution_id}: "
                                     f"{error.get('Code', 'error')}: {error.get('Message', '')}".rstrip(": ")) from exc
        except BotoCoreError as exc:
            raise ServiceUnavailable(f"CloudFront is unreachable: {type(exc).__name__}") from exc
        invalidation = response["Invalidation"]
        return {"distributionId": self.distribution_id, "invalidationId": invalidation["Id"],
                "status": invalidation["Status"], "paths": list(paths)}
