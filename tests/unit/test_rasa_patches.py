"""bot/rasa_patches.py: applied only when asked, only onto Rasa's original function of the
version it was written for, and the patched function answers exactly as Rasa's does."""
import importlib

import pytest
import rasa
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_patches

ORIGINAL = RemoteAction.__dict__["_validate_action_result"]


@pytest.fixture
def unpatched():
    """Rasa's own function before and after each test, whatever the test did."""
    rasa_patches.restore()
    RemoteAction._validate_action_result = ORIGINAL
    yield
    rasa_patches.restore()
    RemoteAction._validate_action_result = ORIGINAL


def test_importing_the_module_patches_nothing(unpatched):
    importlib.reload(rasa_patches)
    assert RemoteAction.__dict__["_validate_action_result"] is ORIGINAL
    assert rasa_patches.applied() == []


def test_the_guard_knows_rasas_original():
    # The hash in the patch is that of the function Rasa ships (fails after an upgrade).
    assert rasa.__version__ == rasa_patches.RASA_VERSION
    patch = rasa_patches.PATCHES[0]
    rasa_patches.check(patch, ORIGINAL)
    assert rasa_patches.code_hash(ORIGINAL) == patch.code_hash


RESULTS = [
    {"events": [{"event": "slot", "name": "office_open", "value": True}],
     "responses": [{"text": "hoi"}]},
    {"events": [], "responses": []},
    {},
    {"events": [{"name": "no event key"}], "responses": []},
    {"events": [{"event": "slot", "name": 5, "value": True}]},
    {"events": [{"event": "no such event"}]},
    {"events": [{"event": "user", "text": 3, "parse_data": {"intent": {"name": 1}}}]},
    {"events": [{"event": "slot", "name": "a", "value": 1, "timestamp": "now"},
                {"event": "followup"}]},
    {"events": "not a list"},
    {"events": [{"event": "action", "name": None}], "responses": "x"},
    {"events": [{"event": "reminder", "intent": 1, "date_time": 2}]},
]


def _outcome(result):
    action = RemoteAction("action_offer_contact", EndpointConfig("http://localhost:5055/webhook"))
    try:
        return ("valid", action._validate_action_result(result))
    except ValidationError as error:
        return ("invalid", error.message, list(error.absolute_path), error.validator,
                list(error.absolute_schema_path))


@pytest.mark.parametrize("result", RESULTS)
def test_the_patched_validator_answers_like_rasas(unpatched, result):
    expected = _outcome(result)
    assert rasa_patches.apply() == ["cache_action_result_validator"]
    assert RemoteAction.__dict__["_validate_action_result"] is not ORIGINAL
    assert _outcome(result) == expected
    if expected[0] == "invalid":
        assert "Failed to validate Action server response" in expected[1]
    rasa_patches.restore()
    assert RemoteAction.__dict__["_validate_action_result"] is ORIGINAL


def test_apply_twice_patches_once_and_restore_gives_rasas_function(unpatched):
    rasa_patches.apply()
    patched = RemoteAction.__dict__["_validate_action_result"]
    assert rasa_patches.apply() == ["cache_action_result_validator"]
    assert RemoteAction.__dict__["_validate_action_result"] is patched
    rasa_patches.restore()
    assert RemoteAction.__dict__["_validate_action_result"] is ORIGINAL
    assert rasa_patches.applied() == []


def test_it_refuses_another_function(unpatched):
    def _validate_action_result(self, result):
        return True

    _validate_action_result.__qualname__ = "RemoteAction._validate_action_result"
    _validate_action_result.__module__ = "rasa.core.actions.action"
    RemoteAction._validate_action_result = _validate_action_result
    with pytest.raises(rasa_patches.PatchRefused):
        rasa_patches.apply()
    assert RemoteAction.__dict__["_validate_action_result"] is _validate_action_result


def test_it_refuses_another_rasa_version(unpatched, monkeypatch):
    monkeypatch.setattr(rasa, "__version__", "3.6.22")
    with pytest.raises(rasa_patches.PatchRefused, match="3.6.22"):
        rasa_patches.apply()
    assert RemoteAction.__dict__["_validate_action_result"] is ORIGINAL


def test_the_server_entry_point_applies_the_patches(unpatched, monkeypatch):
    import rasa.__main__

    from bot import serve

    seen = {}
    monkeypatch.setattr(rasa.__main__, "main", lambda: seen.setdefault(
        "patched", rasa_patches.applied()))
    monkeypatch.setattr("sys.argv", ["serve"])
    monkeypatch.setattr("os.umask", lambda mask: 0o022)
    monkeypatch.delenv(serve.TOKEN_FILE_VARIABLE, raising=False)
    monkeypatch.delenv(serve.TOKEN_VARIABLE, raising=False)
    serve.main(["--model", "m.tar.gz"])
    assert seen["patched"] == ["cache_action_result_validator"]
