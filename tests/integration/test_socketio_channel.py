"""The socket.io channel end to end, as the website widget uses it."""
import asyncio
import uuid

import socketio


async def converse(url, messages, session_id=None):
    client = socketio.AsyncClient(reconnection=False)
    received = []
    confirmed = asyncio.get_running_loop().create_future()

    @client.on("bot_uttered")
    async def on_bot(data):
        received.append(data)

    @client.on("session_confirm")
    async def on_confirm(data):
        if not confirmed.done():
            confirmed.set_result(data)

    await client.connect(url, socketio_path="/socket.io", transports=["websocket"],
                         headers={"Origin": "http://localhost:8000"})
    await client.emit("session_request", {"session_id": session_id or uuid.uuid4().hex})
    session = await asyncio.wait_for(confirmed, 10)
    replies = []
    for message in messages:
        before = len(received)
        await client.emit("user_uttered", {"message": message, "session_id": session})
        for _ in range(100):
            await asyncio.sleep(0.1)
            if len(received) > before:
                await asyncio.sleep(0.5)
                break
        replies.append(received[before:])
    await client.disconnect()
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
