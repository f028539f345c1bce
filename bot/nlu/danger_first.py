"""Rasa NLU component: prefer a danger intent that is nearly as likely as the top intent.

Runs after the intent classifier and before the FallbackClassifier; the logic is in
bot/lse/safety.py.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.lse.safety import prefer_danger


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DangerFirst(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"min_confidence": 0.25, "max_gap": 0.25}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> "DangerFirst":
        return cls(config)

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.min_confidence = float(config["min_confidence"])
        self.max_gap = float(config["max_gap"])

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            ranking = message.get(INTENT_RANKING_KEY) or []
            danger = prefer_danger(ranking, self.min_confidence, self.max_gap)
            if danger:
                message.set(INTENT, {"name": danger["name"],
                                     "confidence": danger["confidence"]}, add_to_output=True)
                reordered = [danger] + [item for item in ranking if item is not danger]
                message.set(INTENT_RANKING_KEY, reordered, add_to_output=True)
        return messages
