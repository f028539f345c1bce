"""Rasa NLU component: a message that answers a crisis text stays in the crisis path.

The channel marks a message whose conversation's last answer was a crisis text or a crisis
follow-up (metadata `after_crisis`, bot/channels.py). When such a message has a cue of the
crisis (bot/lse/crisis_followup.py: afraid to call, fear, doubt, what happens after a call,
what now), its intent becomes `role_unclear`, which the rules after a crisis text answer
with the crisis follow-up (bot/data/rules/crisis_followup.yml). Without the mark nothing
changes: "wat moet ik doen, mijn zoon radicaliseert" as a first message is a parent's
question. Runs after the danger screen: danger that its cue lists find ("ik wil zelf ook
niet meer leven") keeps its own crisis text; an alarm of its model or of the classifier
alone does not ("ik wil niet dat hij vast komt te zitten" read as suicide), because the
follow-up repeats the numbers anyway.
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, METADATA, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.lse.contract import DANGER_INTENTS
from bot.lse.crisis_followup import is_about_the_crisis, marked_after_crisis
from bot.nlu.danger_screen import DANGER_KEY

# An intent the rules after every crisis text answer with action_crisis_followup.
FOLLOWUP_INTENT = "role_unclear"


def _cue_list_alarm(danger: Any) -> bool:
    """True when the danger screen's cue lists raised the alarm: not its model alone
    (bot/nlu/danger_screen.py puts the cue "model" first), not the classifier alone (no
    kind)."""
    if not isinstance(danger, dict) or not danger.get("kind"):
        return False
    cues = danger.get("cues") or []
    return not (cues and cues[0] == "model")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisFollowup(GraphComponent):
    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> CrisisFollowup:
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not marked_after_crisis(message.get(METADATA)):
                continue
            intent = (message.get(INTENT) or {}).get("name")
            if intent == FOLLOWUP_INTENT:
                continue
            if intent in DANGER_INTENTS and _cue_list_alarm(message.get(DANGER_KEY)):
                continue
            if not is_about_the_crisis(message.get(TEXT) or ""):
                continue
            chosen = {"name": FOLLOWUP_INTENT, "confidence": 1.0}
            ranking = [item for item in (message.get(INTENT_RANKING_KEY) or [])
                       if item.get("name") != FOLLOWUP_INTENT]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen] + ranking, add_to_output=True)
        return messages
