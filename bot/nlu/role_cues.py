"""Rasa NLU component: role cues (bot/lse/role_cues.py) correct the classifier's role.

Runs after the classifier and before the fallbacks and the danger screen. Only a role
intent (or role_unclear) on top is ever changed: to the role the cues show (own
involvement, then a relative, then a job), or to role_unclear when the classifier's role is
a weak guess with no cue behind it (`weak_below`). The new intent keeps the classifier's
confidence of the intent it replaces or, when higher, the top confidence, so the
fallback threshold treats it the same way. A greeting, a "ja" or a question is never
changed: after a crisis text those stay in the crisis path.
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.lse.role_cues import adjust_intent


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class RoleCues(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"weak_below": 0.0, "enabled": True}

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> RoleCues:
        return cls(config)

    def __init__(self, config: Dict[str, Any]) -> None:
        self.weak_below = float(config.get("weak_below", 0.0))
        self.enabled = bool(config.get("enabled", True))

    def process(self, messages: List[Message]) -> List[Message]:
        if not self.enabled:
            return messages
        for message in messages:
            ranking = message.get(INTENT_RANKING_KEY) or []
            if not ranking:
                continue
            pairs = tuple((item.get("name"), float(item.get("confidence") or 0.0))
                          for item in ranking)
            wanted = adjust_intent(message.get(TEXT) or "", pairs, self.weak_below)
            if wanted is None:
                continue
            top_confidence = pairs[0][1]
            own = next((item for item in ranking if item.get("name") == wanted), None)
            confidence = max(top_confidence, float(own.get("confidence") or 0.0) if own else 0.0)
            chosen = {"name": wanted, "confidence": confidence}
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY,
                        [chosen] + [item for item in ranking if item.get("name") != wanted],
                        add_to_output=True)
        return messages
