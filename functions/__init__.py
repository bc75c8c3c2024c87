"""Thin Lambda entry points: one per route group, each ``Mangum(create_app(groups=(...)))``.

Clients are built lazily on the first request, once per container (``shared.container``); the
lifespan is off because Mangum would run it on every invocation.
"""
