"""Lambda handler for the 'widget' route group (see serverless.yml)."""

from functions._handler import build

app, handler = build("widget")
