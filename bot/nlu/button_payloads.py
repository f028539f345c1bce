"""Rasa NLU component: a button's exact payload gets the button's intent
(bot/lse/button_payloads.py). After the classifier and the role cues, before the danger
screen and the crisis follow-up, which still see every message."""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.lse.button_payloads import intent_of_payload


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ButtonPayloads(GraphComponent):
    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> ButtonPayloads:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = intent_of_payload(message.get(TEXT) or "")
            if intent is None:
                continue
            chosen = {"name": intent, "confidence": 1.0}
            ranking = message.get(INTENT_RANKING_KEY) or []
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY,
                        [chosen] + [item for item in ranking if item.get("name") != intent],
                        add_to_output=True)
        return messages
