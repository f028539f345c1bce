"""Fixes for Rasa 3.6.21 itself, applied explicitly at start-up by `apply()`.

Who calls `apply()`: bot/serve.py (our entry point that starts Rasa) before Rasa's CLI runs,
and bench/profiling.py (unless `--without-patches`), the one place that runs Rasa's actions
in process. Importing this module changes nothing.

Every patch names the Rasa version and the exact function it replaces (qualified name and a
hash of its byte code). `apply()` refuses (PatchRefused) when Rasa is another version or
the function in place is not that original, so an upgrade of Rasa cannot silently keep a
patch written for other code: check the new Rasa, then update or drop the patch.

1. Rasa validates every answer of the action server with `jsonschema.validate()`, which
   first checks Rasa's event schema against the JSON Schema meta-schema. With the
   jsonschema version Rasa pins (4.17.3) that costs tens of milliseconds per action call,
   most of the time of a message (measured with `make bench-profile`, see
   docs/performance.md). We validate with one prebuilt validator: the same schema, and the
   same error as `jsonschema.validate()` raises (the best match of all errors, with Rasa's
   text appended). tests/unit/test_rasa_patches.py compares it with Rasa's function.
"""
from __future__ import annotations

import hashlib
import types
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

RASA_VERSION = "3.6.21"


class PatchRefused(RuntimeError):
    """Rasa is not the version, or the function not the original, a patch was written for."""


@dataclass(frozen=True)
class Patch:
    name: str
    module: str
    owner: str  # class in `module`
    attribute: str
    qualname: str
    code_hash: str  # code_hash() of Rasa's original function
    make: Callable[[], Callable[..., Any]]


def code_hash(function: Any) -> str:
    """A hash of a function's byte code, constants and names."""
    code: types.CodeType = function.__code__
    data = code.co_code + repr(code.co_consts).encode() + repr(code.co_names).encode()
    return hashlib.sha256(data).hexdigest()


def _cached_action_result_validator() -> Callable[..., bool]:
    from jsonschema import ValidationError
    from jsonschema.exceptions import best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    schema = RemoteAction.action_response_format_spec()
    validator_class = validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)

    def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        # jsonschema.validate(): raise the best match of all errors, not the first one.
        error = best_match(validator.iter_errors(result))
        if error is None:
            return True
        if not isinstance(error, ValidationError):  # pragma: no cover - best_match's type
            raise error
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            "For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions")
        raise error

    _validate_action_result.lse_patch = "cache_action_result_validator"  # type: ignore[attr-defined]
    return _validate_action_result


PATCHES = [
    Patch(name="cache_action_result_validator",
          module="rasa.core.actions.action", owner="RemoteAction",
          attribute="_validate_action_result",
          qualname="RemoteAction._validate_action_result",
          code_hash="362ca2a547788320ac2295986b491beea0ff77f91d41496f52a02f7f0e1ebcab",
          make=_cached_action_result_validator),
]

# patch name -> Rasa's original function, for restore()
_ORIGINALS: dict[str, Any] = {}


def _owner(patch: Patch) -> Any:
    import importlib

    return getattr(importlib.import_module(patch.module), patch.owner)


def check(patch: Patch, function: Any) -> None:
    """Raises PatchRefused unless `function` is the Rasa original `patch` was written for."""
    import rasa

    if rasa.__version__ != RASA_VERSION:
        raise PatchRefused(f"{patch.name} is written for Rasa {RASA_VERSION}, not "
                           f"{rasa.__version__}: check {patch.qualname} and update or drop it")
    if (not isinstance(function, types.FunctionType)
            or function.__qualname__ != patch.qualname
            or function.__module__ != patch.module
            or code_hash(function) != patch.code_hash):
        raise PatchRefused(f"{patch.name}: {patch.module}.{patch.qualname} is not the function "
                           f"of Rasa {RASA_VERSION} the patch replaces; not patched")


def apply() -> list[str]:
    """Applies every patch once (again: nothing happens); the names of the patches in place."""
    for patch in PATCHES:
        owner = _owner(patch)
        current = owner.__dict__.get(patch.attribute)
        if getattr(current, "lse_patch", None) == patch.name:
            continue
        check(patch, current)
        setattr(owner, patch.attribute, patch.make())
        _ORIGINALS[patch.name] = current
    return applied()


def applied() -> list[str]:
    """Names of the patches that are in place now."""
    return [patch.name for patch in PATCHES
            if getattr(_owner(patch).__dict__.get(patch.attribute), "lse_patch", None)
            == patch.name]


def restore() -> None:
    """Puts Rasa's original functions back (for tests and comparisons)."""
    for patch in PATCHES:
        original = _ORIGINALS.pop(patch.name, None)
        if original is not None:
            setattr(_owner(patch), patch.attribute, original)
