"""The crisis path over the real REST channel, Rasa server and action server (issue 9)."""
import uuid

import requests

from bot.lse.facts import load_facts

FACTS = load_facts()
# A parent's first message on which only the danger screen's model raises a harm alarm
# and the classifier and the role cues find the family role underneath.
FIRST_MESSAGE_WITH_ROLE_AND_HARM = "mijn dochter wil strijden voor de zaak en zegt dat bloed moet vloeien"


def say(servers, sender, text):
    answer = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook",
                           json={"sender": sender, "message": text}, timeout=30)
    assert answer.status_code == 200, answer.text
    return [message.get("text", "") for message in answer.json()]


def test_a_first_message_with_danger_gets_the_crisis_text_before_the_opening(servers):
    sender = uuid.uuid4().hex
    replies = say(servers, sender, "ik heb al mijn pillen gespaard en vanavond neem ik ze allemaal")
    assert replies[0].split("\n")[0].count("112") == 1      # an instruction, 112 first
    assert "113" in replies[0]
    assert "computerprogramma" in replies[1]                  # the short opening after it
    assert "Voor wie zoek je hulp" not in "\n".join(replies)
    followup = say(servers, sender, "ja")
    assert len(followup) == 1 and "112" in followup[0] and "113" in followup[0]
    assert "Voor wie zoek je hulp" not in followup[0] and "Sorry" not in followup[0]
    followup = say(servers, sender, "ik durf niet te bellen")
    assert "113.nl" in followup[0]


def test_danger_in_the_middle_then_the_conversation_goes_on(servers):
    sender = uuid.uuid4().hex
    opening = say(servers, sender, "mijn zoon van 16 kijkt steeds filmpjes van is")
    assert "computerprogramma" in opening[0]
    crisis = say(servers, sender, "hij heeft een mes gekocht en zegt dat hij morgen naar de synagoge gaat")
    assert crisis[0].startswith("Is iemand") or "112" in crisis[0].split("\n")[0]
    assert "computerprogramma" not in "\n".join(crisis)       # no second opening
    costs = say(servers, sender, "wat kost de hulp van het lse")
    assert "Families" in costs[0] or "families" in costs[0]


def test_a_threat_from_the_group_gets_112_and_the_police_line(servers):
    sender = uuid.uuid4().hex
    replies = say(servers, sender, "ik ben uit de groep gestapt en nu weten ze waar ik woon")
    assert "112" in replies[0] and FACTS.emergency["police"] in replies[0]


def test_a_long_message_with_danger_is_not_lost_in_the_length_answer(servers):
    sender = uuid.uuid4().hex
    replies = say(servers, sender, "ik wil niet meer leven. " * 80)
    assert "113" in replies[0] and "1000" in replies[0]


def test_a_question_the_description_does_not_answer_gets_an_honest_answer(servers):
    sender = uuid.uuid4().hex
    say(servers, sender, "hallo")
    reply = "\n".join(say(servers, sender, "werken jullie samen met de politie?"))
    assert "weet ik niet" in reply and FACTS.phone in reply


def test_a_follow_up_with_a_relative_or_a_question_stays_in_the_crisis_path(servers):
    """The tryout of 2 December: "ik durf niet te bellen, hij is mijn broer" got the family
    answer, "hij is nu thuis" the practical one. With a cue of the crisis a message after a
    crisis text gets the follow-up (bot/nlu/crisis_followup.py, which reads the tracker)."""
    sender = uuid.uuid4().hex
    first = say(servers, sender, "mijn broer heeft een pistool in huis en zei dat hij vrijdag de imam gaat afmaken")
    assert "112" in first[0].split("\n")[0]
    for text, line in (("ik durf niet te bellen, hij is mijn broer", "Bellen kan eng voelen."),
                       ("hij is nu thuis", "Bel nu 112"),
                       ("ik weet niet of hij het meent", "Je hoeft het niet zeker te weten."),
                       ("ik wil mijn broer niet aangeven", "weet ik niet")):
        replies = say(servers, sender, text)
        joined = "\n".join(replies)
        assert len(replies) == 1 and line in replies[0] and "112" in joined, (text, replies)
        assert "Voor wie zoek je hulp" not in joined and "Fijn dat je contact zoekt" not in joined
    # Tryout 2: the second message after a crisis text, read on its own, got the opening
    # hours; an unsure classifier right after a crisis text now means a follow-up.
    second = uuid.uuid4().hex
    say(servers, second, "mn zoon van 14 zegt dat hij dood wil en hij heeft pillen verzameld")
    replies = say(servers, second, "hij zit nu beneden tv te kijken")
    assert len(replies) == 1 and "113" in replies[0] and "gesloten" not in replies[0], replies
    called = say(servers, second, "ok ik heb 113 gebeld")
    assert called[0].startswith("Goed dat je hebt gebeld."), called
    # New danger after the follow-ups gets its own crisis text, 112 first.
    again = say(servers, sender, "hij is nu thuis met een mes en zegt dat hij naar de moskee gaat")
    assert "112" in again[0].split("\n")[0]
    # Without a cue of the crisis the conversation goes on where it was.
    costs = say(servers, sender, "wat kost de hulp van het lse voor families")
    assert "Families" in costs[0] or "families" in costs[0]
    # The same words without a crisis text before them: a parent's question, not a crisis.
    other = uuid.uuid4().hex
    say(servers, other, "hallo")
    replies = "\n".join(say(servers, other, "mijn broer praat steeds over de jihad, ik maak me zorgen"))
    assert "Bel nu 112" not in replies


def test_a_harm_alarm_on_a_parents_first_message_is_followed_by_the_family_services(servers):
    """A false alarm costs its crisis text, not the answer (bot/lse/crisis.py)."""
    sender = uuid.uuid4().hex
    answer = requests.post(f"{servers.rasa_url}/webhooks/rest/webhook", json={
        "sender": sender, "message": FIRST_MESSAGE_WITH_ROLE_AND_HARM}, timeout=30).json()
    texts = [message.get("text", "") for message in answer]
    assert texts[0].startswith("Is iemand nu in gevaar? Bel dan direct 112.")
    assert "computerprogramma" in texts[1]
    assert texts[2].startswith("Is er geen direct gevaar")
    titles = [button["title"] for button in answer[2].get("buttons", [])]
    assert titles[0] == "Familieondersteuning"
    followup = say(servers, sender, "ja")        # still the crisis path: no list of services
    assert len(followup) == 1 and followup[0].startswith("Bel nu 112")
    familie = say(servers, sender, "Vertel me over Familieondersteuning")
    assert "Familieondersteuning" in familie[0]
