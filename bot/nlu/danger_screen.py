"""Rasa NLU component: the danger screen (bot/lse/danger_screen.py) on every message.

Runs after every intent classifier and fallback component, so nothing after it can change
its verdict: a message the screen finds dangerous gets the danger intent for its kind with
confidence 1.0, whatever the classifier thought. The verdict itself (kind, imminent, the
names of the cues, never the text) is added to the NLU result as `danger`, where the
crisis actions and the staff app read it. A message the screen finds safe keeps the
classifier's answer, a danger intent included (recall first).
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.lse.danger_screen import INTENT_FOR_KIND, screen

DANGER_KEY = "danger"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DangerScreen(GraphComponent):
    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> "DangerScreen":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            signal = screen(message.get(TEXT) or "")
            message.set(DANGER_KEY, signal.as_dict(), add_to_output=True)
            if not signal.found:
                continue
            intent = {"name": INTENT_FOR_KIND[signal.kind], "confidence": 1.0}
            ranking = [item for item in (message.get(INTENT_RANKING_KEY) or [])
                       if item.get("name") != intent["name"]]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)
        return messages
