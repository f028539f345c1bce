"""The socket.io channel end to end, as the website widget uses it."""
import asyncio

from tests.support import socketio_conversation


async def converse(url, messages, session_id=None):
    session, replies, _ = await socketio_conversation(url, messages, session_id=session_id)
    return session, replies


def test_socketio_conversation_with_buttons(servers):
    session, replies = asyncio.run(converse(servers.rasa_url, ["hallo", "Voor mijn werk", ""]))
    first = replies[0]
    assert any("digitale assistent" in m.get("text", "") for m in first)
    quick = [r["payload"] for m in first for r in m.get("quick_replies", [])]
    assert "Ik heb een vraag vanuit mijn werk" in quick
    assert any("Consultatie" in m.get("text", "") for m in replies[1])
    assert any("leeg" in m.get("text", "") for m in replies[2])


def test_socketio_session_survives_a_reconnect(servers):
    session, _ = asyncio.run(converse(servers.rasa_url, ["mijn dochter radicaliseert"]))
    _, replies = asyncio.run(converse(servers.rasa_url, ["wat kost het"], session_id=session))
    assert any("betalen" in m.get("text", "") for m in replies[0])
    # The same conversation continues: no second opening.
    assert not any("digitale assistent" in m.get("text", "") for m in replies[0])
