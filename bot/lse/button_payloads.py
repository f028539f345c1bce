"""The texts the assistant's buttons send, and the intent each one stands for. No Rasa.

A button sends its payload as an ordinary message (typed `/intent` shorthand is plain
text: security review), so the NLU has to understand it. The classifier usually does, but
it is a statistical guess: after new training data "Ik maak me zorgen om iemand dicht bij
mij" (the family button) came out as role_unclear at 0.50 (2 December). A button is a
promise, so its exact payload decides (in either language, any case or spacing); a text
that only looks like one goes to the classifier as usual.
"""
from __future__ import annotations

from functools import lru_cache

from bot.lse import texts
from bot.lse.triage import SERVICE_INTENTS

# Button keys in bot/texts.yml -> intents; the service buttons by their service key.
_INTENT_OF_KEY: dict[str, str] = {
    "family": "role_family",
    "professional": "role_professional",
    "individual": "role_individual",
    "contact": "ask_contact",
    "other_help": "list_services",
    **{service: intent for intent, service in SERVICE_INTENTS.items()},
}


def _key(text: str) -> str:
    return " ".join((text or "").split()).casefold()


@lru_cache(maxsize=1)
def payload_intents() -> dict[str, str]:
    """Normalised payload text -> intent, for every button in bot/texts.yml."""
    found: dict[str, str] = {}
    for key, languages in (texts.load_texts().get("buttons") or {}).items():
        intent = _INTENT_OF_KEY.get(key)
        if intent is None:
            continue
        for _title, payload in (languages or {}).values():
            found[_key(payload)] = intent
    return found


def intent_of_payload(text: str) -> str | None:
    """The intent of a button's payload, or None when the text is not exactly one."""
    return payload_intents().get(_key(text))
