"""Lambda handler for the 'admin' route group (see serverless.yml)."""

from functions._handler import build

app, handler = build("admin")
