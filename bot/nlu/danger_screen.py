"""Rasa NLU component: the danger screen (bot/lse/danger_screen.py) on every message.

Runs after every intent classifier and fallback component, so nothing after it can change
its verdict. For each message:
1. the cue lists of the screen; a message they find dangerous gets the danger intent for its
   kind with confidence 1.0, whatever the classifier thought. Only for the kinds in
   `model_vetoes_kinds` (harm to others, threats) the danger model may veto it, when its
   probability of danger is below `model_vetoes_cues_below` (the cue lists' false alarms:
   "een grap over de school opblazen"), unless a cue in `cues_never_vetoed` ("er is
   gevaar") matched. Suicide cues are never vetoed: there a miss costs most;
2. otherwise the danger model (bot/lse/danger_model.py, trained here on the training data:
   danger intents against all others, and the messages without danger of `negatives_file`)
   with `model_threshold` on its probability of danger; where the screen recognised a benign
   reading ("wil niet meer leven zoals wij", a past attack, a video) the model needs
   `model_overrides_benign_at`;
3. otherwise the classifier's own danger guess counts only when it is very sure
   (`classifier_min_confidence`); a less sure one gives way to its best other intent.
The verdict (kind, imminent, the names of the cues or "model", never the text) is added to
the NLU result as `danger`, where the crisis actions and the staff app read it.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List, Optional

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.lse.danger_model import DangerModel, read_negatives
from bot.lse.danger_screen import INTENT_FOR_KIND, DangerSignal, imminence_cues, screen
from bot.lse.role_cues import adjust_intent

DANGER_KEY = "danger"
# The screen of the model this process loaded, for the channels (bot/channels.py), which
# screen a message before the NLU runs: the crisis text must come before the opening.
_LOADED: List[DangerScreen] = []
DANGER_INTENTS = frozenset(INTENT_FOR_KIND.values())
MODEL_FILE = "danger_model.pkl"
# Cue names of a cue-list verdict the model vetoed (kept for the staff, never the text).
VETOED_PREFIX = "vetoed:"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class DangerScreen(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {"classifier_min_confidence": 0.0, "model_threshold": 0.5,
                "model_overrides_benign_at": 1.01, "model_vetoes_cues_below": 0.0,
                "model_vetoes_kinds": ["harm_others", "threatened"],
                "cues_never_vetoed": ["explicit_danger"], "negatives_file": None,
                "random_seed": 2026}

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> Optional[str]:
        """The negatives file is read at training, outside Rasa's training data: its content
        is part of the fingerprint, so that Rasa retrains the model when it changes."""
        path = config.get("negatives_file")
        if not path:
            return None
        try:
            return hashlib.sha256(Path(path).read_bytes()).hexdigest()
        except OSError:
            return "missing"

    def __init__(self, config: Optional[Dict[str, Any]] = None,
                 model_storage: Optional[ModelStorage] = None,
                 resource: Optional[Resource] = None,
                 model: Optional[DangerModel] = None) -> None:
        config = {**self.get_default_config(), **(config or {})}
        self.classifier_min_confidence = float(config["classifier_min_confidence"])
        self.model_threshold = float(config["model_threshold"])
        self.model_overrides_benign_at = float(config["model_overrides_benign_at"])
        self.model_vetoes_cues_below = float(config["model_vetoes_cues_below"])
        self.model_vetoes_kinds = frozenset(config["model_vetoes_kinds"] or ())
        self.cues_never_vetoed = frozenset(config["cues_never_vetoed"] or ())
        self.negatives_file = config["negatives_file"]
        self.random_seed = int(config["random_seed"])
        self._model_storage = model_storage
        self._resource = resource
        self.model = model or DangerModel(None)
        self._cache: Dict[bytes, DangerSignal] = {}

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> DangerScreen:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        examples = [(example.get(TEXT) or "", example.get(INTENT))
                    for example in training_data.intent_examples]
        examples += [(text, None) for text in read_negatives(self.negatives_file)]
        self.model = DangerModel.fit(examples, seed=self.random_seed)
        self._cache.clear()
        assert self._model_storage is not None and self._resource is not None  # as Rasa trains
        with self._model_storage.write_to(self._resource) as directory:
            (directory / MODEL_FILE).write_bytes(self.model.dumps())
        return self._resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> DangerScreen:
        try:
            with model_storage.read_from(resource) as directory:
                model = DangerModel.loads((directory / MODEL_FILE).read_bytes())
        except (ValueError, FileNotFoundError):
            model = DangerModel(None)  # trained without examples: the cue lists alone
        component = cls(config, model_storage, resource, model)
        _LOADED[:] = [component]
        return component

    def verdict(self, text: str) -> DangerSignal:
        """The screen's cue lists first; the model where they found nothing. Cached per
        text: the channel screens a message just before the NLU screens it again."""
        # Keyed on a hash: the cache keeps no visitor text in memory (security review L8).
        key = hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()
        cached = self._cache.get(key)
        if cached is None:
            cached = self._verdict(text)
            if len(self._cache) >= 1024:
                self._cache.pop(next(iter(self._cache)), None)
            self._cache[key] = cached
        return cached

    def _verdict(self, text: str) -> DangerSignal:
        signal = screen(text)
        if signal.found:
            # The model is asked only where it may veto: a suicide cue or "er is gevaar"
            # always counts, so there its answer would change nothing.
            if signal.kind not in self.model_vetoes_kinds or set(signal.cues) & self.cues_never_vetoed:
                return signal
            verdict = self.model.predict(text)
            if verdict is not None and verdict.p_danger < self.model_vetoes_cues_below:
                # The cues fired on words the model, trained on far more messages, finds
                # no danger in ("een grap over de school opblazen, het was echt een grap").
                # Not a benign reading: a very sure classifier may still see danger.
                return DangerSignal(cues=tuple(VETOED_PREFIX + cue for cue in signal.cues))
            return signal
        verdict = self.model.predict(text)
        if verdict is None or verdict.p_danger < self.model_threshold:
            return signal
        if signal.benign and verdict.p_danger < self.model_overrides_benign_at:
            return signal
        cues = imminence_cues(text)
        return DangerSignal(kind=verdict.kind, imminent=bool(cues), cues=("model",) + cues)

    def _demote_unsure_danger(self, message: Message, benign: bool) -> None:
        intent = message.get(INTENT) or {}
        if intent.get("name") not in DANGER_INTENTS:
            return
        if not benign and float(intent.get("confidence") or 0.0) >= self.classifier_min_confidence:
            return
        ranking = message.get(INTENT_RANKING_KEY) or []
        others = [item for item in ranking if item.get("name") not in DANGER_INTENTS]
        best = others[0] if others else {"name": "nlu_fallback", "confidence": 1.0}
        # The role cues ran before the classifier's danger guess was set aside: let them
        # correct the role that comes up now ("ik werk in de thuiszorg ... zn kleinzoon").
        wanted = adjust_intent(message.get(TEXT) or "", tuple(
            (item["name"], float(item.get("confidence") or 0.0)) for item in others))
        chosen = {"name": wanted or best["name"], "confidence": best["confidence"]}
        message.set(INTENT, chosen, add_to_output=True)
        message.set(INTENT_RANKING_KEY,
                    [chosen] + [item for item in ranking if item.get("name") != chosen["name"]],
                    add_to_output=True)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            signal = self.verdict(message.get(TEXT) or "")
            message.set(DANGER_KEY, signal.as_dict(), add_to_output=True)
            if not signal.found:
                self._demote_unsure_danger(message, signal.benign)
                continue
            assert signal.kind is not None  # a found signal has its kind
            intent = {"name": INTENT_FOR_KIND[signal.kind], "confidence": 1.0}
            ranking = [item for item in (message.get(INTENT_RANKING_KEY) or [])
                       if item.get("name") != intent["name"]]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data


def danger_verdict(text: str) -> DangerSignal:
    """The verdict of the loaded model's screen (cue lists and model), or of the cue lists
    alone when no model is loaded in this process."""
    return _LOADED[0].verdict(text) if _LOADED else screen(text)
