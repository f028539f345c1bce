"""Fixes for Rasa 3.6 itself, applied when the Rasa server loads our channels.

1. Rasa validates every answer of the action server with `jsonschema.validate()`, which
   first checks Rasa's event schema against the JSON Schema meta-schema. With the
   jsonschema version Rasa pins that costs tens of milliseconds per action call, most of
   the time of a message (measured with `make bench-profile`, see docs/performance.md).
   We validate with one prebuilt validator: the same schema and the same error.
"""
from __future__ import annotations

from typing import Any, Dict

_APPLIED = False


def cache_action_result_validator() -> None:
    from jsonschema import ValidationError
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
        try:
            validator.validate(result)
            return True
        except ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid. For more information about "
                f"the format visit {DOCS_BASE_URL}/custom-actions")
            raise error

    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[assignment]


def apply() -> None:
    global _APPLIED
    if not _APPLIED:
        cache_action_result_validator()
        _APPLIED = True
