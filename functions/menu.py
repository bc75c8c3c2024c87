"""Lambda handler for the 'menu' route group (see serverless.yml)."""

from functions._handler import build

app, handler = build("menu")
