"""The statistical danger model (bot/lse/danger_model.py) and how the screen's NLU
component trains, stores and loads it with Rasa's own model storage."""
from pathlib import Path

import pytest
import yaml
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


def test_the_negatives_file_is_learnt_as_no_danger_and_is_part_of_the_fingerprint(tmp_path):
    from bot.lse.danger_model import read_negatives

    negatives = tmp_path / "ordinary.yml"
    negatives.write_text("danger_screen_negatives:\n- hij neemt de hond mee naar het plein\n"
                         "- hij neemt zijn fiets mee naar het plein\n", encoding="utf-8")
    assert read_negatives(negatives) == ["hij neemt de hond mee naar het plein",
                                         "hij neemt zijn fiets mee naar het plein"]
    assert read_negatives(None) == []
    config = {"negatives_file": str(negatives)}
    before = DangerScreen.fingerprint_addon(config)
    (tmp_path / "storage").mkdir()
    (tmp_path / "other").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("danger_screen")
    data = TrainingData([Message(data={TEXT: text, INTENT: intent}) for text, intent in EXAMPLES])
    with_negatives = DangerScreen(config, storage, resource)
    with_negatives.train(data)
    without = DangerScreen({}, LocalModelStorage(tmp_path / "other"), resource)
    without.train(data)
    text = "hij neemt de hond mee naar het plein"
    assert with_negatives.model.predict(text).p_danger < without.model.predict(text).p_danger
    # Rasa retrains the component when the file changes, and not otherwise.
    assert DangerScreen.fingerprint_addon(config) == before
    negatives.write_text("danger_screen_negatives:\n- iets anders\n", encoding="utf-8")
    assert DangerScreen.fingerprint_addon(config) != before
    assert DangerScreen.fingerprint_addon({}) is None


@pytest.mark.parametrize("content", ["- a list, not a mapping\n",
                                     "danger_screen_negatives: one text\n",
                                     "danger_screen_negatives:\n- 3\n"])
def test_a_malformed_negatives_file_is_refused(tmp_path, content):
    from bot.lse.danger_model import read_negatives

    path = tmp_path / "bad.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError):
        read_negatives(path)


class _SureModel:
    """A model that is this sure of danger on every text."""

    def __init__(self, p):
        self.p = p

    def predict(self, text):
        from bot.lse.danger_model import ModelVerdict

        return ModelVerdict(p_danger=self.p, kind="harm_others")


@pytest.mark.parametrize("p, found", [(0.97, True), (0.9, False), (0.3, False)])
def test_a_benign_reading_gives_way_only_to_a_very_sure_model(p, found):
    from bot.lse.danger_screen import screen

    # "vroeger" makes the cue lists read this as the past ("had vroeger wapens"), which
    # hides the threat that is happening now; only a very sure model overrides that.
    text = "mijn ex dreigt de school van onze kinderen op te blazen, hij heeft vroeger wapens gehad"
    assert screen(text).benign
    component = DangerScreen({"model_threshold": 0.55, "model_overrides_benign_at": 0.95},
                             model=_SureModel(p))
    verdict = component.verdict(text)
    assert verdict.found is found
    assert verdict.benign is not found


@pytest.mark.parametrize("p, found", [(0.05, False), (0.29, False), (0.3, True), (0.9, True)])
def test_the_model_vetoes_the_cue_lists_only_when_it_finds_almost_no_danger(p, found):
    from bot.lse.danger_screen import screen

    text = "in de klas maakte iemand een grap over de school opblazen en nu is er gedoe"
    assert screen(text).found  # the cue lists alone raise an alarm here
    component = DangerScreen({"model_threshold": 0.45, "model_vetoes_cues_below": 0.3},
                             model=_SureModel(p))
    verdict = component.verdict(text)
    assert verdict.found is found
    if not found:
        assert not verdict.benign  # a very sure classifier may still see danger
        assert all(cue.startswith("vetoed:") for cue in verdict.cues)


@pytest.mark.parametrize("text", ["ik denk aan zelfmoord", "nu wil ik gewoon dood",
                                  "ik ben een last voor iedereen"])
def test_suicide_cues_are_never_vetoed(text):
    component = DangerScreen({"model_vetoes_cues_below": 0.3}, model=_SureModel(0.01))
    assert component.verdict(text).kind == "suicide"


def test_er_is_gevaar_is_never_vetoed():
    component = DangerScreen({"model_vetoes_cues_below": 0.3}, model=_SureModel(0.01))
    assert component.verdict("ja er is gevaar").found


def test_without_a_model_the_cue_lists_decide_alone():
    component = DangerScreen({"model_vetoes_cues_below": 0.3})
    assert component.verdict("in de klas maakte iemand een grap over de school opblazen").found


def test_a_device_being_built_is_never_vetoed():
    # Fireworks with nails: the model, which rarely saw this, may not call it harmless.
    text = "ze tapen cobra's aan elkaar met spijkers en schroeven voor oud en nieuw"
    component = DangerScreen({"model_vetoes_cues_below": 0.3,
                              "cues_never_vetoed": ["explicit_danger", "device"]},
                             model=_SureModel(0.01))
    assert component.verdict(text).kind == "harm_others"
    plain = DangerScreen({"model_vetoes_cues_below": 0.3}, model=_SureModel(0.01))
    assert not plain.verdict(text).found


def test_config_never_vetoes_a_device():
    config = yaml.safe_load(Path("config.yml").read_text(encoding="utf-8"))
    screen_config = next(item for item in config["pipeline"]
                         if item["name"].endswith("DangerScreen"))
    assert "device" in screen_config["cues_never_vetoed"]
