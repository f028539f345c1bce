"""Rasa NLU component: the entity `language` when a message switches the conversation's
language (see bot/lse/language.language_signal). The slot `language` is mapped from it.

Runs last in the pipeline, when the intent is final. The entity spans the whole message.
"""
from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.lse.language import language_signal, warm_up

ENTITY = "language"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class LanguageEntity(GraphComponent):
    @classmethod
    def create(cls, config: Dict[str, Any], model_storage: ModelStorage,
               resource: Resource, execution_context: ExecutionContext) -> LanguageEntity:
        warm_up()
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = (message.get(INTENT) or {}).get("name")
            language = language_signal(text, intent)
            if language:
                entity = {"entity": ENTITY, "value": language, "start": 0, "end": len(text),
                          "confidence": 1.0, "extractor": type(self).__name__}
                message.set(ENTITIES, (message.get(ENTITIES) or []) + [entity],
                            add_to_output=True)
        return messages
