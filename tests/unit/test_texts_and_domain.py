"""Every text exists in Dutch and English, LSE facts live in one file only, and the names
of bot/lse/contract.py (which the actions and the staff app use) are the domain's."""
import re
from pathlib import Path

import yaml

from bot.lse import contract
from bot.lse.facts import load_facts
from bot.lse.texts import load_texts, render

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
FACTS = load_facts()


def test_every_action_text_renders_in_both_languages():
    texts = load_texts()
    extra = {"next_opening": "x", "closes_today": "17.00", "reason": "", "holiday": "x",
             "closure": "x", "weekly_hours": "x"}
    for key, value in texts.items():
        if key == "buttons":
            continue
        assert set(value) == {"nl", "en"}, key
        for language in ("nl", "en"):
            rendered = render(key, language, FACTS, **extra)
            assert "{" not in rendered and rendered.strip(), (key, language)


def test_every_button_has_both_languages():
    for key, value in load_texts()["buttons"].items():
        assert set(value) == {"nl", "en"} and all(len(pair) == 2 for pair in value.values()), key


def test_every_domain_response_has_an_english_variation():
    for name, variations in DOMAIN["responses"].items():
        english = [v for v in variations if {"type": "slot", "name": "language", "value": "en"}
                   in (v.get("condition") or [])]
        default = [v for v in variations if not v.get("condition")]
        assert len(english) == 1 and len(default) == 1, name
        assert len(english[0].get("buttons", [])) == len(default[0].get("buttons", [])), name


def test_no_lse_contact_facts_outside_the_facts_file():
    digits = re.sub(r"\D", "", FACTS.phone)
    for path in [ROOT / "domain.yml", ROOT / "bot" / "texts.yml",
                 *sorted((ROOT / "bot" / "actions").glob("*.py"))]:
        content = path.read_text(encoding="utf-8")
        assert FACTS.email not in content, path
        assert digits not in re.sub(r"\D", "", content), path
        assert FACTS.website not in content, path


def test_button_payloads_are_plain_text():
    # A payload starting with '/' would be stripped by the channel (see message_checks).
    for variations in DOMAIN["responses"].values():
        for variation in variations:
            for button in variation.get("buttons", []):
                assert not button["payload"].startswith("/")


def test_a_worried_parents_first_screen_is_short_and_says_privacy_once():
    """Issue 9: at most about 80 words before the first button, one privacy line, the number."""
    from bot.lse.facts import load_facts
    from bot.lse.texts import render

    facts = load_facts()
    for language in ("nl", "en"):
        opening, answer = render("intro", language, facts), render("family_support", language, facts)
        assert len(opening.split()) + len(answer.split()) <= 90, language
        assert facts.phone in answer and facts.email in answer
        names_line = "namen" if language == "nl" else "names"
        assert (opening + answer).count(names_line) == 1
        assert opening.split("\n")[0].endswith(facts.emergency["acute"] + ".")


def test_every_name_of_the_contract_is_in_the_domain():
    """The actions, intents, slots and slot values the actions and the staff app rely on."""
    assert set(contract.CUSTOM_ACTIONS) == set(DOMAIN["actions"])
    assert set(contract.INTENTS) <= set(DOMAIN["intents"])
    assert set(contract.SLOTS) == set(DOMAIN["slots"])
    for slot, values in contract.SLOT_VALUES.items():
        assert DOMAIN["slots"][slot]["type"] == "categorical", slot
        assert tuple(DOMAIN["slots"][slot]["values"]) == values, slot
    names = {value for name, value in vars(contract).items()
             if name.startswith(("ACTION_", "INTENT_", "SLOT_")) and isinstance(value, str)}
    rasa_defined = {contract.ACTION_LISTEN, contract.INTENT_NLU_FALLBACK,
                    contract.SLOT_SESSION_STARTED_METADATA}
    in_domain = set(DOMAIN["actions"]) | set(DOMAIN["intents"]) | set(DOMAIN["slots"])
    assert names - rasa_defined <= in_domain, names - rasa_defined - in_domain
    assert not rasa_defined & in_domain


def test_the_names_rasa_defines_are_rasas():
    from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
    from rasa.shared.core.constants import ACTION_LISTEN_NAME, SESSION_START_METADATA_SLOT

    assert contract.ACTION_LISTEN == ACTION_LISTEN_NAME
    assert contract.INTENT_NLU_FALLBACK == DEFAULT_NLU_FALLBACK_INTENT_NAME
    assert contract.SLOT_SESSION_STARTED_METADATA == SESSION_START_METADATA_SLOT


def test_every_custom_action_answers_to_a_contract_name():
    import inspect

    import bot.actions
    from bot.actions.actions import FactsAction

    classes = [value for value in vars(bot.actions).values()
               if inspect.isclass(value) and issubclass(value, FactsAction)]
    assert sorted(cls().name() for cls in classes) == sorted(contract.CUSTOM_ACTIONS)
