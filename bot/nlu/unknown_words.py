"""Rasa NLU component: a message without a single known word becomes nlu_fallback.

Trained on the words of the NLU training data (stored with the model); the logic is
in bot/lse/vocabulary.py. Runs after the classifier, before the FallbackClassifier.
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Set

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.lse.vocabulary import build_vocabulary, has_known_word

FALLBACK = "nlu_fallback"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class UnknownWordsFallback(GraphComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    def __init__(self, model_storage: ModelStorage, resource: Resource,
                 vocabulary: Optional[Set[str]] = None) -> None:
        self._model_storage = model_storage
        self._resource = resource
        self.vocabulary = vocabulary or set()

    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> UnknownWordsFallback:
        return cls(model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts = [example.get(TEXT) or "" for example in training_data.training_examples]
        self.vocabulary = build_vocabulary(texts)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / "vocabulary.json").write_text(
                json.dumps(sorted(self.vocabulary)), encoding="utf-8")
        return self._resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any) -> UnknownWordsFallback:
        with model_storage.read_from(resource) as directory:
            vocabulary = set(json.loads((directory / "vocabulary.json").read_text(encoding="utf-8")))
        return cls(model_storage, resource, vocabulary)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if not self.vocabulary or has_known_word(message.get(TEXT) or "", self.vocabulary):
                continue
            ranking = message.get(INTENT_RANKING_KEY) or []
            fallback = {"name": FALLBACK, "confidence": 1.0}
            message.set(INTENT, fallback, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [fallback] + ranking, add_to_output=True)
        return messages
