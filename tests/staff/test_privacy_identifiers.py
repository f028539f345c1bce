"""Issue 11, point 2, end to end: names, a school, a street, a handle, a birth date and a
licence plate go through BOTH channels (REST and socket.io) of the real Rasa server; the
assistant answers normally, the staff index and review queue take the conversations in, and
afterwards not one of those identifiers is in any database file (with its -wal and -shm
files) or any log file of the stack."""
import asyncio
import time
import uuid

from tests.staff.test_privacy import say
from tests.support import socketio_conversation

# (message, identifiers that must never be written)
MESSAGES = [
    ("mijn zoon Mohammed el Amrani zit op het Stedelijk Lyceum en praat over de jihad",
     ["Mohammed", "Amrani", "Stedelijk Lyceum"]),
    ("hij is geboren op 12-03-2008 en woont op de Vondellaan 23 in Zwolle",
     ["12-03-2008", "Vondellaan", "Zwolle"]),
    ("zijn insta is mo_amrani07 en zijn auto heeft kenteken 12-ABC-3",
     ["mo_amrani07", "12-ABC-3"]),
    ("groetjes, Petra Jansen", ["Petra", "Jansen"]),
]
ENGLISH = ("my daughter Sanne de Vries goes to the Da Vinci College, born 2007-04-01, "
           "plate GH-123-X, tiktok @sanne.x",
           ["Sanne", "de Vries", "Da Vinci", "2007-04-01", "GH-123-X", "sanne.x"])


def all_files(stack):
    files = [path for path in stack.tracker_db.parent.rglob("*") if path.is_file()]
    names = {path.name for path in files}
    assert "conversations.db" in names and "staff.db" in names
    assert any(name.startswith("rasa-server") for name in names)
    return files


def test_identifiers_of_both_channels_are_nowhere_on_disk(stack):
    texts = [text for text, _ in MESSAGES] + [ENGLISH[0]]
    forbidden = [item for _, items in MESSAGES for item in items] + ENGLISH[1]

    client_id = "ids-" + uuid.uuid4().hex[:12]
    replies = []
    for text in texts:
        replies.append(say(stack, client_id, text))  # 5 messages: within the rate limit
    assert all(reply.strip() for reply in replies), "every REST message got an answer"
    # Still understood after redaction: the parent gets the family answer.
    assert "Familieondersteuning" in replies[0] or "familie" in replies[0].lower()

    origin = stack.servers.web_origins[0]
    session, answers, _ = asyncio.run(socketio_conversation(stack.servers.rasa_url, texts,
                                                          origin=origin))
    assert all(answers), "every socket.io message got an answer"

    # The staff index and the review queue take both conversations in.
    admin = stack.admin()
    for stored in (stack.servers.stored_id(client_id), stack.servers.stored_id(session)):
        assert admin.get(f"/staff/api/conversations/{stored}").status_code == 200
    admin.get("/staff/inbox")
    time.sleep(1.5)  # let the servers flush their logs

    for path in all_files(stack):
        content = path.read_bytes()
        for item in forbidden:
            for form in {item, item.lower(), item.upper()}:
                assert form.encode("utf-8") not in content, f"{form!r} found in {path.name}"
