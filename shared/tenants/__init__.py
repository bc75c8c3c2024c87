"""Tenants: how a request names its restaurant (``refs``, ``lookup``), what a request knows of it
(``head``) and which websites may embed it (``origins``). The support desk's tools over tenants live
in ``shared.helpdesk``."""

__all__: list[str] = []
