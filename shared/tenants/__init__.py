"""Tenants: how a request names its restaurant (``refs``, ``lookup``), what a request knows of it
(``head``), which websites may embed it (``origins``), and the support tools: summaries, items against
a question, readiness checks and CDN purges (``support``, ``items``, ``check``, ``cdn``)."""

__all__: list[str] = []
