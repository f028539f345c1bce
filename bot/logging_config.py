"""What the Rasa server writes to its logs: never a visitor's text, at any level we ship.

Three layers:
- structlog (Rasa 3.6 logs `processor.message.parse … parse_data_text=…`, the tracker's
  events, slot values, `message.parsing.failed … user_text=…`, at DEBUG and WARNING): a
  processor in front of Rasa's own that replaces every text-bearing field with LEFT_OUT.
  Rasa's processor list is extended in place, so loggers already in use get it too.
  (Rasa's own hook for this, `get_anonymization_pipeline`, would also make the processor
  read the tracker once more per message for Rasa Pro's event anonymization.)
  `install_structlog()` runs when Rasa makes our channels (bot/channels.py), after Rasa
  configured structlog (rasa/__main__.py `configure_structlog`).
- Python warnings: Rasa's story reader warns "Failed to parse arguments in line '<the
  message>'" when a message looks like `/intent{...}`. Such warnings keep their category
  and place, not their text.
- Sanic's access log (on only with LOG_LEVEL_LIBRARIES=INFO or lower): no client address
  and no query string (a socket.io sid, or the API token when the API is on).
`install()` (the last two) runs in bot/serve.py before Rasa starts.
"""
from __future__ import annotations

import logging
import warnings
from typing import Any

LEFT_OUT = "[left out of the log]"

# Warnings whose text holds a visitor's message (rasa/shared/core/training_data/
# story_reader/yaml_story_reader.py).
_TEXT_WARNINGS = ("Failed to parse",)

# The fields Rasa 3.6 itself lists as anonymizable (rasa/utils/log_utils.py _anonymizer),
# and a few more that carry message text or slot values.
TEXT_FIELDS = frozenset({
    "text", "response_text", "user_text", "slot_values", "parse_data_text",
    "parse_data_entities", "prediction_events", "tracker_latest_message", "prefilled_slots",
    "message", "response", "slot_candidates", "rasa_event", "rasa_events", "tracker_states",
    "current_states", "old_states", "successes", "current_entity", "next_entity", "states",
    "entity", "token_text", "user_message", "json_message",
    "parse_data", "events", "tracker", "slots", "value", "metadata", "entities", "body",
})


def drop_text_fields(_logger: Any, _name: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: text-bearing fields are replaced by LEFT_OUT."""
    for key in TEXT_FIELDS.intersection(event_dict):
        if event_dict[key] is not None:
            event_dict[key] = LEFT_OUT
    return event_dict


def install_structlog() -> bool:
    """Puts `drop_text_fields` first in structlog's processors (in place). True when it is
    there afterwards."""
    import structlog

    processors = structlog.get_config().get("processors")
    if not isinstance(processors, list):
        return False
    if drop_text_fields not in processors:
        processors.insert(0, drop_text_fields)
    return True


class AccessLogFilter(logging.Filter):
    """Sanic access records: no client address, no query string."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "host"):
            record.host = "-"
        request = getattr(record, "request", None)
        if isinstance(request, str) and "?" in request:
            record.request = request.split("?", 1)[0] + "?…"
        return True


_installed = {"done": False}


def _wrap_showwarning() -> None:
    original = warnings.showwarning

    def showwarning(message, category, filename, lineno, file=None, line=None):
        text = str(message)
        if text.startswith(_TEXT_WARNINGS):
            message = category(" ".join(text.split(" ")[:3]) + " " + LEFT_OUT)
        return original(message, category, filename, lineno, file, line)

    showwarning.lse_wrapped = True  # type: ignore[attr-defined]
    if not getattr(warnings.showwarning, "lse_wrapped", False):
        warnings.showwarning = showwarning


def install() -> None:
    """Before Rasa starts: wrap warnings, filter the access log."""
    if _installed["done"]:
        return
    _wrap_showwarning()
    logging.getLogger("sanic.access").addFilter(AccessLogFilter())
    _installed["done"] = True
