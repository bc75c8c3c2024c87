"""Tenants: how a request names its restaurant, and which websites may embed it."""
