"""Rasa's LogisticRegressionClassifier, with the same model and the same answers, faster.

Two costs of Rasa 3.6's classifier showed up in the profile of a message
(docs/performance.md), together about 2 ms of the 4.6 ms of the whole NLU:
- scikit-learn multiplies the sparse features by `coef_.T`. `coef_` is stored row by row
  (C order), so its transpose is column by column, and SciPy copies all of it (classes ×
  features, several megabytes) into row order on every prediction. Storing `coef_` column
  by column (Fortran order) makes the transpose row-ordered, so no copy is made; the
  numbers are the same.
- `_create_X` asks the message for its combined sparse features, which deep-copies the first
  featurizer's matrices and joins each further one, for the sequence features (which this
  classifier never uses) as well as the sentence features. Here only the sentence features
  are joined, in one step, in the same order: the same matrix.

tests/unit/test_intent_classifier.py checks both against Rasa's class (features of three
featurizers, training, prediction, and prediction after loading); on the real model the 245
held-out messages got the same intents with the same confidences (docs/performance.md).
"""
from __future__ import annotations

from typing import Any, Dict, List

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData


def _sentence_features(message: Message) -> scipy.sparse.csr_matrix:
    """The message's sparse, then dense, sentence features of its text, side by side, in
    the order the featurizers added them (the order of Rasa's Message.get_*_features)."""
    sentence = [f for f in message.features
                if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE]
    sparse = [f.features for f in sentence if f.is_sparse()]
    dense = [f.features for f in sentence if f.is_dense()]
    parts: List[Any] = []
    if sparse:
        parts.append(sparse[0] if len(sparse) == 1 else scipy.sparse.hstack(sparse))
    if dense:
        parts.append(scipy.sparse.csr_matrix(dense[0] if len(dense) == 1 else np.hstack(dense)))
    if not parts:
        return scipy.sparse.csr_matrix((1, 0))
    joined = parts[0] if len(parts) == 1 else scipy.sparse.hstack(parts)
    return scipy.sparse.csr_matrix(joined)


def fortran_coefficients(clf: Any) -> None:
    """Store a fitted linear model's coefficients column by column (same values)."""
    if hasattr(clf, "coef_"):
        clf.coef_ = np.asfortranarray(clf.coef_)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class LseLogisticRegressionClassifier(LogisticRegressionClassifier):
    """Rasa's LogisticRegressionClassifier (same configuration, training and output)."""

    def _create_X(self, messages: List[Message]) -> scipy.sparse.csr_matrix:
        rows = [_sentence_features(message) for message in messages]
        if len(rows) == 1:
            return rows[0]
        return scipy.sparse.vstack(rows, format="csr")

    def train(self, training_data: TrainingData) -> Resource:
        resource = super().train(training_data)
        fortran_coefficients(self.clf)
        return resource

    @classmethod
    def load(cls, config: Dict[str, Any], model_storage: ModelStorage, resource: Resource,
             execution_context: ExecutionContext, **kwargs: Any
             ) -> LseLogisticRegressionClassifier:
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        fortran_coefficients(component.clf)
        return component
