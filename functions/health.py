"""Lambda handler for the 'health' route group (see serverless.yml)."""

from functions._handler import build

app, handler = build("health")
