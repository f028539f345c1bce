"""bot/nlu/intent_classifier.py gives exactly the features and answers of Rasa's
LogisticRegressionClassifier."""
import copy

import numpy as np
import pytest
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, INTENT, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.intent_classifier import LseLogisticRegressionClassifier

INTENTS = ["role_family", "role_professional", "ask_contact", "danger_acute"]
SIZES = {"RegexFeaturizer": 7, "CountVectorsFeaturizer1": 40, "CountVectorsFeaturizer2": 300}


def _message(rng, intent=None, dense=False):
    message = Message(data={TEXT: "tekst", **({INTENT: intent} if intent else {})})
    tokens = int(rng.integers(1, 6))
    for origin, size in SIZES.items():
        sequence = scipy.sparse.random(tokens, size, density=0.1, random_state=rng,
                                       format="coo")
        sentence = scipy.sparse.random(1, size, density=0.2, random_state=rng, format="coo")
        message.add_features(Features(sequence, FEATURE_TYPE_SEQUENCE, TEXT, origin))
        message.add_features(Features(sentence, FEATURE_TYPE_SENTENCE, TEXT, origin))
    if dense:
        message.add_features(Features(rng.random((1, 5)), FEATURE_TYPE_SENTENCE, TEXT, "Dense"))
    return message


def _component(cls, tmp_path, name):
    (tmp_path / name).mkdir(exist_ok=True)
    storage = LocalModelStorage(tmp_path / name)
    context = ExecutionContext(GraphSchema({}), node_name=name)
    config = {**cls.get_default_config(), "random_state": 2026, "max_iter": 1000}
    return cls.create(config, storage, Resource(name), context), storage, context


@pytest.mark.parametrize("dense", [False, True])
def test_same_feature_matrix_as_rasa(tmp_path, dense):
    rng = np.random.default_rng(7)
    messages = [_message(rng, dense=dense) for _ in range(5)]
    ours, _, _ = _component(LseLogisticRegressionClassifier, tmp_path, "ours")
    rasas, _, _ = _component(LogisticRegressionClassifier, tmp_path, "rasa")
    for batch in (messages[:1], messages):
        expected, got = rasas._create_X(batch), ours._create_X(batch)
        assert got.shape == expected.shape
        assert (got != expected).nnz == 0


def test_same_training_and_same_answers_as_rasa_also_after_loading(tmp_path):
    rng = np.random.default_rng(2026)
    examples = [_message(rng, INTENTS[i % len(INTENTS)]) for i in range(80)]
    queries = [_message(rng) for _ in range(20)]
    answers = {}
    for cls, name in ((LogisticRegressionClassifier, "rasa"),
                      (LseLogisticRegressionClassifier, "ours")):
        component, storage, context = _component(cls, tmp_path, name)
        resource = component.train(TrainingData(training_examples=examples))
        trained = component.process(copy.deepcopy(queries))
        loaded = cls.load(component.get_default_config() | {"random_state": 2026},
                          storage, resource, context).process(copy.deepcopy(queries))
        answers[name] = [m.get("intent_ranking") for m in trained]
        assert [m.get("intent_ranking") for m in loaded] == answers[name]
        if cls is LseLogisticRegressionClassifier:
            assert component.clf.coef_.flags.f_contiguous
    assert answers["ours"] == answers["rasa"]
    assert {r[0]["name"] for r in answers["ours"]} <= set(INTENTS)
