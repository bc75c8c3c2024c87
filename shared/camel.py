"""``CamelModel``: the pydantic base of the JSON API's models, requests and responses. Python reads
``order.session_token``; the JSON (and the OpenAPI document) says ``sessionToken``.

Input is read by the camelCase name only, as before the base existed: a client that sends
``session_token`` gets the same ``VALIDATION_ERROR`` as one that sends nothing.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, validate_by_alias=True, validate_by_name=False,
                              serialize_by_alias=True)
