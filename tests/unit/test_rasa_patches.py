import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_patches


def test_cached_validator_accepts_and_rejects_like_rasa():
    rasa_patches.apply()
    action = RemoteAction("action_offer_contact", EndpointConfig("http://localhost:5055/webhook"))
    good = {"events": [{"event": "slot", "name": "office_open", "value": True}],
            "responses": [{"text": "hoi"}]}
    assert action._validate_action_result(good)
    with pytest.raises(ValidationError) as error:
        action._validate_action_result({"events": [{"name": "no event key"}], "responses": []})
    assert "Failed to validate Action server response" in error.value.message

