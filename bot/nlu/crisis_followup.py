"""Rasa NLU component: a message that answers a crisis text stays in the crisis path.

Rasa hands the conversation's tracker to an NLU component that asks for it (a `tracker`
parameter of `process`, default recipe): the tracker the processor holds under the
conversation's lock, after a new session has started, so a visitor who comes back an hour
later is not read as answering an old crisis text. When the last action before the message
was a crisis text (or a follow-up) and the message has a cue of the crisis
(bot/lse/crisis_followup.py: afraid to call, fear, doubt, what happens after a call, what
now), its intent becomes `role_unclear`, which the rules after a crisis text answer with
the crisis follow-up (bot/data/rules/crisis_followup.yml). Otherwise nothing changes:
"wat moet ik doen, mijn zoon radicaliseert" as a first message is a parent's question.

Runs after the danger screen and never changes a danger intent: new danger gets its own
crisis text, of its own kind ("hij is nu thuis met een mes" after a suicide text gets 112).
A language switch keeps its intent too (the language entity reads it).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.lse.contract import DANGER_INTENTS
from bot.lse.crisis_followup import keeps_in_crisis

# An intent the rules after every crisis text answer with action_crisis_followup.
FOLLOWUP_INTENT = "role_unclear"
# Intents that keep their name: danger (its own crisis text) and a language switch.
_KEPT = frozenset(DANGER_INTENTS) | {FOLLOWUP_INTENT, "switch_language"}


def previous_action(tracker: Optional[DialogueStateTracker]) -> Optional[str]:
    """The conversation's last action before the message (action_listen left out), in the
    current session; None without a tracker (rasa test, scripts/evaluate_sets.py)."""
    if tracker is None:
        return None
    event = tracker.get_last_event_for(ActionExecuted, action_names_to_exclude=[ACTION_LISTEN_NAME])
    return event.action_name if isinstance(event, ActionExecuted) else None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class CrisisFollowup(GraphComponent):
    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> CrisisFollowup:
        return cls()

    def process(self, messages: List[Message],
                tracker: Optional[DialogueStateTracker] = None) -> List[Message]:
        action = previous_action(tracker)
        if action is None:
            return messages
        for message in messages:
            if (message.get(INTENT) or {}).get("name") in _KEPT:
                continue
            if not keeps_in_crisis(action, message.get(TEXT) or ""):
                continue
            chosen = {"name": FOLLOWUP_INTENT, "confidence": 1.0}
            ranking = [item for item in (message.get(INTENT_RANKING_KEY) or [])
                       if item.get("name") != FOLLOWUP_INTENT]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen] + ranking, add_to_output=True)
        return messages
