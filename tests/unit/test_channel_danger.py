"""The channels run the danger screen on every message, also on ones the NLU never gets."""
from bot.channels import RestInput, _clean_metadata
from bot.lse.message_checks import check_message


def test_a_too_long_message_with_danger_gets_the_crisis_text_first():
    channel = RestInput()
    checked = check_message("ik heb mijn pillen gespaard en vanavond neem ik ze. " * 40, 1000)
    reply = channel.problem_reply(checked, "nl")
    assert reply.index("112") < reply.index("113") < reply.index("1000 tekens")


def test_a_too_long_message_without_danger_gets_the_length_answer_with_the_danger_line():
    reply = RestInput().problem_reply(check_message("mijn zoon kijkt filmpjes. " * 60, 1000), "nl")
    assert "1000 tekens" in reply and "112" in reply


def test_the_metadata_says_when_a_message_holds_danger():
    assert _clean_metadata(None, "ik wil niet meer leven")["danger"] == "suicide"
    assert _clean_metadata(None, "ze weten waar ik woon")["danger"] == "threatened"
    assert "danger" not in _clean_metadata({"language": "nl"}, "wat kost het")
