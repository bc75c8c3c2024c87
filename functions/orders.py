"""Lambda handler for the 'orders' route group (see serverless.yml)."""

from functions._handler import build

app, handler = build("orders")
