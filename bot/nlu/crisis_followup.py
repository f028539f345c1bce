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

Right after a crisis text, a message the classifier is unsure about (below 0.6) is a
follow-up too: "hij zit nu beneden tv te kijken" was the opening hours at 0.21.

Runs after the danger screen. New danger gets its own crisis text, of its own kind ("hij is
nu thuis met een mes" after a suicide text gets 112): danger of the cue lists or the
classifier always, and an alarm of the screen's model alone when it adds to the crisis the
conversation is in (another kind, or imminent after suicide). Only a model alarm that adds
nothing, on a message with a cue of a follow-up, becomes the follow-up, which names the
same numbers ("ik heb 112 gebeld, ze komen eraan"
after the harm text was read as harm again). A language switch keeps its intent (the
language entity reads it).
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

from bot.lse import crisis
from bot.lse.contract import DANGER_INTENTS, INTENT_DANGER_SUICIDE, SLOT_CRISIS
from bot.lse.crisis_followup import followup_topic, keeps_in_crisis, repeats_the_crisis
from bot.nlu.danger_screen import DANGER_KEY

# An intent the rules after every crisis text answer with action_crisis_followup.
FOLLOWUP_INTENT = "role_unclear"
# Intents that keep their name (besides danger): the follow-up itself, a language switch,
# and what a visitor must be able to ask or say right after a crisis text even when the
# classifier is unsure ("leest de politie mee?", "ik wil uit de groep stappen", "stop").
_KEPT = frozenset({FOLLOWUP_INTENT, "switch_language", "ask_privacy", "ask_information_sharing",
                   "role_individual", "goodbye", "start_over"})


def _model_alarm_of_the_same_crisis(intent: str, danger: Any, crisis_slot: Optional[str]) -> bool:
    """True when a danger alarm came from the danger screen's model alone (the cue "model"
    first: not the cue lists, not the classifier) and adds nothing to the crisis the
    conversation is in ("ik heb 112 gebeld, ze komen eraan" after the harm text, read as
    harm again). Another kind, or imminent suicide after suicide, is new danger."""
    if not isinstance(danger, dict) or not danger.get("kind"):
        return False
    cues = danger.get("cues") or []
    if not cues or cues[0] != "model":
        return False
    kind = crisis.crisis_kind(crisis.SUICIDE if intent == INTENT_DANGER_SUICIDE else crisis.HARM_OTHERS,
                              danger)
    return repeats_the_crisis(kind, crisis_slot)


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
        if action is None or tracker is None:
            return messages
        crisis_slot = tracker.get_slot(SLOT_CRISIS)
        for message in messages:
            intent = message.get(INTENT) or {}
            name = intent.get("name")
            text = message.get(TEXT) or ""
            if name in DANGER_INTENTS:
                # New danger, danger the cue lists or the classifier found, or danger without
                # a cue of a follow-up: its own crisis text.
                if not (_model_alarm_of_the_same_crisis(name, message.get(DANGER_KEY), crisis_slot)
                        and followup_topic(text) is not None and keeps_in_crisis(action, text)):
                    continue
            elif name in _KEPT:
                continue
            elif not keeps_in_crisis(action, text, float(intent.get("confidence") or 0.0)):
                continue
            chosen = {"name": FOLLOWUP_INTENT, "confidence": 1.0}
            ranking = [item for item in (message.get(INTENT_RANKING_KEY) or [])
                       if item.get("name") != FOLLOWUP_INTENT]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [chosen] + ranking, add_to_output=True)
        return messages
