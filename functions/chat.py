"""Lambda handler for the 'chat' route group (see serverless.yml)."""

from functions._handler import build

app, handler = build("chat")
