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
DANGER_INTENTS = frozenset(INTENT_FOR_KIND.values())


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class DangerScreen(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"classifier_min_confidence": 0.0}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> "DangerScreen":
        return cls(config)

    def __init__(self, config: Dict[Text, Any] = None) -> None:
        self.classifier_min_confidence = float(
            (config or {}).get("classifier_min_confidence", 0.0))

    def _demote_unsure_danger(self, message: Message, benign: bool) -> None:
        intent = message.get(INTENT) or {}
        if intent.get("name") not in DANGER_INTENTS:
            return
        if not benign and float(intent.get("confidence") or 0.0) >= self.classifier_min_confidence:
            return
        ranking = message.get(INTENT_RANKING_KEY) or []
        others = [item for item in ranking if item.get("name") not in DANGER_INTENTS]
        best = others[0] if others else {"name": "nlu_fallback", "confidence": 1.0}
        message.set(INTENT, {"name": best["name"], "confidence": best["confidence"]},
                    add_to_output=True)
        message.set(INTENT_RANKING_KEY, [best] + [item for item in ranking if item is not best],
                    add_to_output=True)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            signal = screen(message.get(TEXT) or "")
            message.set(DANGER_KEY, signal.as_dict(), add_to_output=True)
            if not signal.found:
                self._demote_unsure_danger(message, signal.benign)
                continue
            intent = {"name": INTENT_FOR_KIND[signal.kind], "confidence": 1.0}
            ranking = [item for item in (message.get(INTENT_RANKING_KEY) or [])
                       if item.get("name") != intent["name"]]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)
        return messages
