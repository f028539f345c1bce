"""The statistical danger model (bot/lse/danger_model.py) and how the screen's NLU
component trains, stores and loads it with Rasa's own model storage."""
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.lse.danger_model import DangerModel
from bot.nlu import danger_screen as component_module
from bot.nlu.danger_screen import DANGER_KEY, DangerScreen, danger_verdict


@pytest.fixture(autouse=True)
def no_loaded_screen_left_behind():
    yield
    component_module._LOADED.clear()

EXAMPLES = (
    [(f"ik heb het gevoel dat niemand mij {word} zou missen", "danger_suicide")
     for word in ("ooit", "echt", "nog", "straks", "later", "dan")]
    + [(f"ik wil {word} gewoon verdwijnen voor altijd", "danger_suicide")
       for word in ("nu", "vandaag", "soms", "echt")]
    + [(f"hij neemt {word} het spul mee naar het plein", "danger_acute")
       for word in ("morgen", "zaterdag", "vanavond", "straks", "zondag")]
    + [(f"mijn zoon kijkt {word} filmpjes en praat over politiek", "role_family")
       for word in ("vaak", "soms", "elke dag", "steeds", "veel", "nog")]
    + [(f"wat kost {word} de hulp van het lse", "ask_costs") for word in ("eigenlijk", "nou", "dan")]
)


def test_the_model_learns_three_classes_and_survives_a_round_trip():
    model = DangerModel.fit(EXAMPLES)
    verdict = model.predict("niemand zou mij missen als ik verdwijn")
    assert verdict.kind == "suicide" and verdict.p_danger > 0.5
    assert model.predict("mijn zoon kijkt filmpjes over politiek").p_danger < 0.5
    again = DangerModel.loads(model.dumps())
    assert again.predict("hij neemt het spul mee naar het plein").kind == "harm_others"


def test_without_danger_examples_there_is_no_model():
    assert DangerModel.fit([("hallo", "greet"), ("wat kost het", "ask_costs")]).predict("x") is None


def test_the_component_trains_stores_loads_and_uses_the_model(tmp_path):
    storage = LocalModelStorage(tmp_path)
    resource = Resource("danger_screen")
    data = TrainingData([Message(data={TEXT: text, INTENT: intent}) for text, intent in EXAMPLES])
    DangerScreen({"model_threshold": 0.5}, storage, resource).train(data)
    loaded = DangerScreen.load({"model_threshold": 0.5}, storage, resource, None)
    text = "hij neemt het spul mee naar het plein"   # no cue group: the model decides
    message = Message(data={TEXT: text})
    message.set(INTENT, {"name": "role_family", "confidence": 0.6})
    loaded.process([message])
    assert message.get(INTENT)["name"] == "danger_acute"
    assert message.get(DANGER_KEY)["cues"][0] == "model"
    # the channels ask the loaded screen too
    assert danger_verdict(text).kind == "harm_others"


def test_the_fast_scorer_gives_scikit_learns_probabilities():
    model = DangerModel.fit(EXAMPLES)
    texts = [text for text, _ in EXAMPLES] + ["iets heel anders", "", "pillen liggen klaar"]
    for text, reference in zip(texts, model.predict_many(texts), strict=True):
        fast = model.predict(text)
        assert abs(fast.p_danger - reference.p_danger) < 1e-9 and fast.kind == reference.kind
