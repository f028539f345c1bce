"""Redaction end to end: messages full of identifiers go through the real Rasa server (REST
and socket.io); the conversation goes on, and afterwards not one identifier is found in the
raw database files or in any log file. Then retention: the automatic purge, the purge and the
delete of the command line tool."""
import asyncio
import datetime as dt
import time
import uuid
from pathlib import Path

import requests
import socketio

from tests.staff import seed
from tests.staff.helpers import EXPIRED_ID, KEPT_ID

# (message, identifiers that must never be written, in the forms a search would use)
MESSAGES = [
    ("mijn zoon van 16 praat over aanslagen, bel me op 06-12345678 of mail naar "
     "petra.de.vries@example.nl", ["06-12345678", "0612345678", "12345678", "petra.de.vries",
                                   "example.nl"]),
    ("we wonen op 3511 AB 12 in utrecht, mijn bsn is 111222333",
     ["3511 AB", "3511AB", "111222333"]),
    ("je kunt geld terugstorten op NL91ABNA0417164300 of NL91 ABNA 0417 1643 00",
     ["NL91ABNA0417164300", "NL91 ABNA", "0417164300", "0417 1643"]),
    ("mijn man heeft nummer +31 6 87654321 en zijn vriend +44 7911 123456",
     ["87654321", "+31 6 8765", "7911 123456", "7911123456"]),
    ("hij woont op Kerkstraat 12, 1234 XY en volgt @ratio_nl18 op telegram",
     ["Kerkstraat 12", "1234 XY", "ratio_nl18"]),
    ("Contact met een medewerker", []),
]
SOCKET_MESSAGE = ("hallo, mijn dochter zit in een extremistische groep, bsn 123.456.782 "
                  "telefoon 020-7654321", ["123.456.782", "123456782", "7654321"])


def say(stack, sender, text):
    answer = requests.post(f"{stack.servers.rasa_url}/webhooks/rest/webhook",
                           json={"sender": sender, "message": text}, timeout=60)
    assert answer.status_code == 200
    return "\n".join(message.get("text", "") for message in answer.json())


async def socket_say(url, origin, text):
    client = socketio.AsyncClient(reconnection=False)
    received = []
    confirmed = asyncio.get_running_loop().create_future()
    client.on("bot_uttered", lambda data: received.append(data))
    client.on("session_confirm",
              lambda data: confirmed.done() or confirmed.set_result(data))
    await client.connect(url, socketio_path="/socket.io", transports=["websocket"],
                         headers={"Origin": origin})
    await client.emit("session_request", {"session_id": uuid.uuid4().hex})
    session = await asyncio.wait_for(confirmed, 10)
    await client.emit("user_uttered", {"message": text, "session_id": session})
    for _ in range(150):
        await asyncio.sleep(0.1)
        if received:
            await asyncio.sleep(0.5)
            break
    await client.disconnect()
    return session, received


def files_to_search(stack):
    files = [path for path in stack.tracker_db.parent.glob("*.db*")]
    files += list(stack.log_dir.glob("*.log"))
    assert any(path.name == "conversations.db" for path in files)
    assert any(path.name.startswith("rasa-server") for path in files)
    assert any(path.name.startswith("web-") for path in files)
    return files


def test_identifiers_never_reach_disk_or_logs(stack):
    client_id = "privacy-" + uuid.uuid4().hex[:8]
    sender = stack.servers.stored_id(client_id)  # what staff see: an HMAC of the client's id
    replies = [say(stack, client_id, text) for text, _ in MESSAGES]
    # The assistant answered every message normally (the placeholders are plain words).
    assert all(reply.strip() for reply in replies)
    assert "digitale assistent" in replies[0]
    assert "info@hetlse.nl" in replies[-1] or "088 20 80 080" in replies[-1]

    # The page of the web app is an allowed origin of the socket.io channel.
    origin = getattr(stack.servers, "web_origins", ["http://localhost:8000"])[0]
    session, received = asyncio.run(socket_say(stack.servers.rasa_url, origin, SOCKET_MESSAGE[0]))
    assert received, "no answer over socket.io"

    # The tracker holds the placeholders.
    # (read from the tracker store's database: the Rasa HTTP API is off)
    tracker = {"events": stack.servers.tracker_events(client_id)}
    texts = [event["text"] for event in tracker["events"] if event["event"] == "user"]
    assert "[telefoonnummer]" in texts[0] and "[e-mailadres]" in texts[0]
    assert "[postcode]" in texts[1] and "[bsn]" in texts[1]
    assert texts[2].count("[iban]") == 2
    assert "[adres]" in texts[4] and "[gebruikersnaam]" in texts[4]

    # The staff app indexes them too (its database must be searched as well).
    admin = stack.admin()
    listing = admin.get("/staff/api/conversations", params={"q": "aanslagen"}).json()
    assert [row["id"] for row in listing["conversations"]] == [sender]
    admin.get(f"/staff/conversations/{sender}")
    admin.get(f"/staff/conversations/{stack.servers.stored_id(session)}")
    time.sleep(1.0)  # let the servers flush their logs

    forbidden = [item for _, items in MESSAGES + [SOCKET_MESSAGE] for item in items]
    for path in files_to_search(stack):
        content = path.read_bytes()
        for item in forbidden:
            assert item.encode("utf-8") not in content, f"{item!r} found in {path.name}"


def test_the_daily_purge_runs_by_itself(stack):
    """The web app ran its first purge two seconds after it started: the conversation of
    40 days ago is gone, the one of 29 days ago is still there, and the log says how many
    without any content."""
    admin = stack.admin()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if admin.get(f"/staff/api/conversations/{EXPIRED_ID}").status_code == 404:
            break
        time.sleep(0.5)
    assert admin.get(f"/staff/api/conversations/{EXPIRED_ID}").status_code == 404
    assert admin.get(f"/staff/api/conversations/{KEPT_ID}").status_code == 200
    audit = admin.get("/staff/audit").text
    assert "automatisch" in audit and "purge" in audit
    web_log = next(stack.log_dir.glob("web-*.log")).read_text()
    assert "retention: purge by automatisch deleted" in web_log
    assert "radicalisering" not in web_log  # the text of the deleted conversation


def test_purge_and_delete_from_the_command_line(stack):
    now = dt.datetime.now(seed.AMSTERDAM)
    store = stack.store()
    seed.write(store, "cli-oud", seed.short_conversation(now - dt.timedelta(days=31)))
    seed.write(store, "cli-verzoek", seed.short_conversation(now - dt.timedelta(hours=2)))
    store.engine.dispose()

    purged = stack.cli("purge")
    assert purged.returncode == 0, purged.stderr
    assert "verwijderd, ouder dan 30 dagen" in purged.stdout
    assert "cli-oud" in purged.stderr  # the ids are logged, not the content
    assert "radicalisering" not in purged.stdout + purged.stderr

    deleted = stack.cli("delete", "cli-verzoek")
    assert deleted.returncode == 0, deleted.stderr
    assert "Gesprek verwijderd" in deleted.stdout
    assert stack.cli("delete", "cli-verzoek").returncode == 1

    admin = stack.admin()
    for gone in ("cli-oud", "cli-verzoek"):
        assert admin.get(f"/staff/api/conversations/{gone}").status_code == 404
        assert gone not in admin.get("/staff/api/conversations").text
    assert admin.get(f"/staff/api/conversations/{KEPT_ID}").status_code == 200


def test_log_files_are_in_the_log_dir(stack):
    assert isinstance(stack.log_dir, Path) and list(stack.log_dir.glob("*.log"))
