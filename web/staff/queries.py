"""Reading conversations for staff: the filtered list, a transcript, staff annotations,
exports, overview numbers and the audit log. All SQL is built with SQLAlchemy Core
expressions and bound parameters; user input never becomes SQL text."""
from __future__ import annotations

import bisect
import csv
import datetime as dt
import hashlib
import io
import json
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from bot.lse import contract
from bot.lse.facts import current_facts
from web.staff import db, events
from web.staff.db import Databases
from web.staff.index import slot_values

PAGE_SIZE = 50
MAX_EXPORT = 5000
EXPORT_BATCH = 400  # conversations per batch of export queries (SQLite: < 999 parameters)
# The values of the slots in domain.yml; "unknown" is the list's filter for "no role".
ROLES = slot_values("role") + ("unknown",)
LANGUAGES = slot_values("language")
FLAGS = {
    "danger": "Gevaar (112 of 113)",
    "danger_112": "Doorverwezen naar 112",
    "danger_113": "Doorverwezen naar 113",
    "contact": "Contact gevraagd",
    "contact_open": "Contact gevraagd tijdens openingstijd",
    "contact_closed": "Contact gevraagd buiten openingstijd",
    "fallback": "Niet begrepen (fallback)",
    "reviewed": "Bekeken",
    "not_reviewed": "Nog niet bekeken",
}
TAG_PATTERN = re.compile(r"^[\w -]{1,40}$", re.UNICODE)
NOTE_MAX = 4000


def zone() -> ZoneInfo:
    """The time zone staff see times and days in: the LSE's (bot/lse_facts.yml)."""
    return current_facts().zone


def local(timestamp: float | None) -> dt.datetime | None:
    if timestamp is None:
        return None
    return dt.datetime.fromtimestamp(float(timestamp), tz=zone())


def day_start(day: dt.date) -> float:
    return dt.datetime.combine(day, dt.time(0, 0), tzinfo=zone()).timestamp()


def parse_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def query_arg(args: Any, name: str) -> str:
    """One query parameter as stripped text ("" when absent or not text)."""
    value = args.get(name)
    return value.strip() if isinstance(value, str) else ""


@dataclass
class ListFilter:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    role: str | None = None
    language: str | None = None
    flags: tuple[str, ...] = ()
    tag: str | None = None
    search: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> ListFilter:
        """From query parameters; values that are not allowed are ignored."""
        def get(name: str) -> str:
            return query_arg(args, name)

        role = get("role")
        language = get("language")
        flags = tuple(flag for flag in (args.getlist("flag") or []) if flag in FLAGS)
        tag = get("tag")
        try:
            page = max(1, min(int(get("page") or 1), 1_000_000))
        except ValueError:
            page = 1
        return cls(
            date_from=parse_date(get("from")), date_to=parse_date(get("to")),
            role=role if role in ROLES else None,
            language=language if language in LANGUAGES else None,
            flags=flags, tag=tag if tag and TAG_PATTERN.match(tag) else None,
            search=get("q")[:200], page=page)

    def query_items(self, page: int | None = None) -> list[tuple[str, str]]:
        items: list[tuple[str, str]] = []
        if self.date_from:
            items.append(("from", self.date_from.isoformat()))
        if self.date_to:
            items.append(("to", self.date_to.isoformat()))
        if self.role:
            items.append(("role", self.role))
        if self.language:
            items.append(("language", self.language))
        items.extend(("flag", flag) for flag in self.flags)
        if self.tag:
            items.append(("tag", self.tag))
        if self.search:
            items.append(("q", self.search))
        if page is not None and page > 1:
            items.append(("page", str(page)))
        return items


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _conditions(flt: ListFilter) -> list[Any]:
    c = db.conversations.c
    conditions: list[Any] = []
    if flt.date_from:
        conditions.append(c.started_at >= day_start(flt.date_from))
    if flt.date_to:
        conditions.append(c.started_at < day_start(flt.date_to + dt.timedelta(days=1)))
    if flt.role == "unknown":
        conditions.append(c.role.is_(None))
    elif flt.role:
        conditions.append(c.role == flt.role)
    if flt.language:
        conditions.append(c.language == flt.language)
    reviewed = sa.select(db.notes.c.sender_id).where(db.notes.c.reviewed.is_(True))
    for flag in flt.flags:
        if flag == "danger":
            conditions.append(sa.or_(c.danger_112 > 0, c.danger_113 > 0))
        elif flag == "contact":
            conditions.append(sa.or_(c.contact_open > 0, c.contact_closed > 0))
        elif flag == "fallback":
            conditions.append(c.fallbacks > 0)
        elif flag == "reviewed":
            conditions.append(c.sender_id.in_(reviewed))
        elif flag == "not_reviewed":
            conditions.append(c.sender_id.not_in(reviewed))
        elif flag in ("danger_112", "danger_113", "contact_open", "contact_closed"):
            conditions.append(getattr(c, flag) > 0)
    if flt.tag:
        conditions.append(c.sender_id.in_(sa.select(db.tags.c.sender_id)
                                          .where(db.tags.c.tag == flt.tag)))
    if flt.search:
        words = [word for word in flt.search.lower().split() if word][:8]
        for word in words:
            pattern = f"%{_like_escape(word)}%"
            conditions.append(sa.or_(c.search_text.like(pattern, escape="\\"),
                                     c.sender_id == flt.search.strip()))
    return conditions


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def list_conversations(databases: Databases, flt: ListFilter,
                       page_size: int = PAGE_SIZE) -> Page:
    c = db.conversations.c
    conditions = _conditions(flt)
    with databases.staff.connect() as connection:
        total = int(connection.execute(sa.select(sa.func.count()).select_from(db.conversations)
                                       .where(*conditions)).scalar_one())
        pages = max(1, (total + page_size - 1) // page_size)
        page = min(flt.page, pages)
        rows = [dict(row._mapping) for row in connection.execute(
            sa.select(c.sender_id, c.started_at, c.last_event_at, c.role, c.language,
                      c.first_message, c.user_messages, c.bot_messages, c.danger_112,
                      c.danger_113, c.contact_open, c.contact_closed, c.fallbacks)
            .where(*conditions).order_by(c.started_at.desc(), c.sender_id.desc())
            .limit(page_size).offset((page - 1) * page_size))]
        annotate(connection, rows)
    return Page(rows, total, page, pages)


def annotate(connection: Any, rows: list[dict[str, Any]]) -> None:
    """Adds tags, note and review state, and local times, to index rows."""
    senders = [row["sender_id"] for row in rows]
    tags: dict[str, list[str]] = {sender: [] for sender in senders}
    notes: dict[str, Any] = {}
    if senders:
        for row in connection.execute(sa.select(db.tags.c.sender_id, db.tags.c.tag)
                                      .where(db.tags.c.sender_id.in_(senders))
                                      .order_by(db.tags.c.tag)):
            tags[row.sender_id].append(row.tag)
        for row in connection.execute(sa.select(db.notes).where(db.notes.c.sender_id.in_(senders))):
            notes[row.sender_id] = row
    for row in rows:
        note = notes.get(row["sender_id"])
        row["tags"] = tags.get(row["sender_id"], [])
        row["note"] = note.note if note else ""
        row["reviewed"] = bool(note.reviewed) if note else False
        row["reviewed_by"] = note.reviewed_by if note else None
        row["started"] = local(row["started_at"])
        row["last_event"] = local(row["last_event_at"])
        row["messages"] = row["user_messages"] + row["bot_messages"]


def summary_row(databases: Databases, sender_id: str) -> dict[str, Any] | None:
    return summary_rows(databases, [sender_id]).get(sender_id)


def summary_rows(databases: Databases, sender_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The annotated index rows of these conversations (three queries), by sender id."""
    if not sender_ids:
        return {}
    with databases.staff.connect() as connection:
        rows = [dict(row._mapping) for row in connection.execute(
            sa.select(db.conversations)
            .where(db.conversations.c.sender_id.in_(list(sender_ids))))]
        annotate(connection, rows)
    return {row["sender_id"]: row for row in rows}


# --- transcripts -------------------------------------------------------------------

@dataclass
class Item:
    kind: str                     # user, bot, action, slot, session, restart
    time: dt.datetime
    text: str = ""
    intent: str | None = None
    confidence: float | None = None
    ranking: list[tuple[str, float]] = field(default_factory=list)
    entities: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)
    pressed: str | None = None   # title of the button the visitor pressed
    name: str | None = None      # action or slot name
    value: Any = None               # slot value
    event_id: int | None = None  # events.id (the inbox's "Beoordeel dit bericht")

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"kind": self.kind, "time": self.time.isoformat()}
        if self.kind in ("user", "bot"):
            result["text"] = self.text
        if self.kind == "user":
            result.update(intent=self.intent, confidence=self.confidence, button=self.pressed)
        if self.kind == "bot" and self.buttons:
            result["buttons"] = [button.get("title", "") for button in self.buttons]
        if self.kind in ("action", "slot"):
            result["name"] = self.name
        if self.kind == "slot":
            result["value"] = self.value
        return result


def transcript(databases: Databases, sender_id: str) -> list[Item]:
    return transcripts(databases, [sender_id])[sender_id]


def transcripts(databases: Databases, sender_ids: Sequence[str]) -> dict[str, list[Item]]:
    """The transcripts of these conversations (one query), by sender id."""
    e = db.events.c
    grouped: dict[str, list[Any]] = {sender: [] for sender in sender_ids}
    if sender_ids:
        with databases.tracker.connect() as connection:
            for row in connection.execute(
                    sa.select(e.id, e.sender_id, e.type_name, e.timestamp, e.intent_name,
                              e.action_name, e.data)
                    .where(e.sender_id.in_(list(grouped))).order_by(e.id)):
                grouped[row.sender_id].append(row)
    return {sender: transcript_items(rows) for sender, rows in grouped.items()}


def transcript_items(rows: Sequence[Any]) -> list[Item]:
    """The items of one conversation from its events (id order)."""
    items: list[Item] = []
    offered: list[dict[str, str]] = []
    for row in rows:
        when = dt.datetime.fromtimestamp(float(row.timestamp or 0.0), tz=zone())
        kind = row.type_name
        if kind == events.USER:
            message = events.user_message(row)
            text = message.text
            pressed = next((str(button.get("title", "")) for button in offered
                            if text and text in (button.get("payload"), button.get("title"))),
                           None)
            items.append(Item("user", when, text=text, intent=message.intent,
                              confidence=message.confidence, ranking=message.ranking[:3],
                              entities=message.entities, pressed=pressed, event_id=row.id))
            offered = []
        elif kind == events.BOT:
            said = events.bot_message(row)
            items.append(Item("bot", when, text=said.text, buttons=said.buttons))
            if said.buttons:
                offered = said.buttons
        elif kind == events.ACTION:
            if row.action_name and row.action_name != contract.ACTION_LISTEN:
                items.append(Item("action", when, name=row.action_name))
        elif kind == events.SLOT:
            name, value = events.slot(row)
            if name != contract.SLOT_SESSION_STARTED_METADATA:
                items.append(Item("slot", when, name=str(name), value=value))
        elif kind == events.SESSION_STARTED:
            items.append(Item("session", when))
        elif kind == events.RESTART:
            items.append(Item("restart", when))
    return items


def conversation_exists(databases: Databases, sender_id: str) -> bool:
    with databases.tracker.connect() as connection:
        return connection.execute(sa.select(db.events.c.id).where(
            db.events.c.sender_id == sender_id).limit(1)).first() is not None


# --- staff annotations ---------------------------------------------------------------

def audit(databases: Databases, username: str, action: str, sender_id: str | None = None,
          detail: str | None = None) -> None:
    with databases.staff.begin() as connection:
        connection.execute(db.audit_log.insert().values(
            at=time.time(), username=username, action=action, sender_id=sender_id,
            detail=(detail or None) and detail[:255]))


def search_hash(text: str) -> str:
    """What the audit log keeps of a search: a hash of its words (lower case, single
    spaces), not the words. An admin who must know whether someone searched for a given
    name can hash that name the same way and compare."""
    words = " ".join(text.lower().split())
    return hashlib.sha256(words.encode("utf-8")).hexdigest()[:16]


def refused_search_detail(flt: ListFilter) -> str:
    """The audit detail of a search refused for lack of the right: the hash, not the words."""
    return f"zoekvraag #{search_hash(flt.search)}, geweigerd: geen zoekrecht"


def list_audit_detail(flt: ListFilter, page: Page) -> str:
    detail = f"pagina {page.page}, {page.total} resultaten"
    if flt.search:
        detail = f"zoekvraag #{search_hash(flt.search)}, " + detail
    return detail


def audit_many(databases: Databases, username: str, action: str, sender_ids: Sequence[str],
               detail: str) -> None:
    now = time.time()
    with databases.staff.begin() as connection:
        if sender_ids:
            connection.execute(db.audit_log.insert(), [
                {"at": now, "username": username, "action": action, "sender_id": sender,
                 "detail": detail} for sender in sender_ids])


def add_tag(databases: Databases, sender_id: str, tag: str, by: str) -> bool:
    tag = " ".join(tag.split())[:40]
    if not tag or not TAG_PATTERN.match(tag):
        return False
    with databases.staff.begin() as connection:
        exists = connection.execute(sa.select(db.tags.c.tag).where(
            db.tags.c.sender_id == sender_id, db.tags.c.tag == tag)).first()
        if not exists:
            connection.execute(db.tags.insert().values(sender_id=sender_id, tag=tag, added_by=by,
                                                       added_at=time.time()))
            # Who tagged which conversation when; not the tag, which staff write freely
            # ("broer Ahmed") and which goes with the conversation at its deletion.
            connection.execute(db.audit_log.insert().values(
                at=time.time(), username=by, action="tag", sender_id=sender_id))
    return True


def remove_tag(databases: Databases, sender_id: str, tag: str, by: str) -> None:
    with databases.staff.begin() as connection:
        connection.execute(db.tags.delete().where(db.tags.c.sender_id == sender_id,
                                                  db.tags.c.tag == tag))
        connection.execute(db.audit_log.insert().values(
            at=time.time(), username=by, action="untag", sender_id=sender_id))


def _upsert_note(connection: Any, sender_id: str, values: dict[str, Any]) -> None:
    exists = connection.execute(sa.select(db.notes.c.sender_id)
                                .where(db.notes.c.sender_id == sender_id)).first()
    if exists:
        connection.execute(db.notes.update().where(db.notes.c.sender_id == sender_id)
                           .values(**values))
    else:
        connection.execute(db.notes.insert().values(sender_id=sender_id, **{
            "note": "", "reviewed": False, **values}))


def set_note(databases: Databases, sender_id: str, note: str, by: str) -> None:
    note = (note or "").replace("\r\n", "\n")[:NOTE_MAX]
    with databases.staff.begin() as connection:
        _upsert_note(connection, sender_id, {"note": note, "updated_by": by,
                                             "updated_at": time.time()})
        connection.execute(db.audit_log.insert().values(
            at=time.time(), username=by, action="note", sender_id=sender_id,
            detail=f"{len(note)} tekens"))


def set_reviewed(databases: Databases, sender_id: str, reviewed: bool, by: str) -> None:
    with databases.staff.begin() as connection:
        _upsert_note(connection, sender_id, {"reviewed": reviewed,
                                             "reviewed_by": by if reviewed else None,
                                             "reviewed_at": time.time() if reviewed else None})
        connection.execute(db.audit_log.insert().values(
            at=time.time(), username=by, action="reviewed" if reviewed else "unreviewed",
            sender_id=sender_id))


def all_tags(databases: Databases) -> list[str]:
    with databases.staff.connect() as connection:
        return [row[0] for row in connection.execute(
            sa.select(db.tags.c.tag).distinct().order_by(db.tags.c.tag))]


# --- export ----------------------------------------------------------------------------

def filtered_ids(databases: Databases, flt: ListFilter, limit: int = MAX_EXPORT) -> list[str]:
    c = db.conversations.c
    with databases.staff.connect() as connection:
        return [row[0] for row in connection.execute(
            sa.select(c.sender_id).where(*_conditions(flt))
            .order_by(c.started_at.desc(), c.sender_id.desc()).limit(limit))]


def export_records(databases: Databases, sender_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The export of these conversations, in their order: four queries per EXPORT_BATCH
    conversations (index rows, tags, notes, events), not two per conversation."""
    records = []
    senders = list(dict.fromkeys(sender_ids))
    for start in range(0, len(senders), EXPORT_BATCH):
        batch = senders[start:start + EXPORT_BATCH]
        summaries = summary_rows(databases, batch)
        items_of = transcripts(databases, batch)
        for sender in batch:
            record = _export_record(sender, summaries.get(sender), items_of[sender])
            if record is not None:
                records.append(record)
    return records


def _export_record(sender: str, summary: dict[str, Any] | None,
                   items: list[Item]) -> dict[str, Any] | None:
    """The export record of one conversation (None when it has neither row nor events)."""
    if summary is None and not items:
        return None
    summary = summary or {}
    return {
        "id": sender,
        "started_at": summary["started"].isoformat() if summary.get("started") else None,
        "role": summary.get("role"),
        "language": summary.get("language"),
        "flags": {
            "danger_112": summary.get("danger_112", 0),
            "danger_113": summary.get("danger_113", 0),
            "contact_open": summary.get("contact_open", 0),
            "contact_closed": summary.get("contact_closed", 0),
            "fallbacks": summary.get("fallbacks", 0),
        },
        "tags": summary.get("tags", []),
        "note": summary.get("note", ""),
        "reviewed": summary.get("reviewed", False),
        "messages": [item.as_dict() for item in items if item.kind in ("user", "bot")],
    }


def export_json(records: list[dict[str, Any]]) -> str:
    return json.dumps({"exported_at": dt.datetime.now(zone()).isoformat(),
                       "conversations": records}, ensure_ascii=False, indent=2)


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    # No formulas when the file is opened in a spreadsheet, also not after spaces that
    # an import with "trim spaces" removes.
    if text.lstrip()[:1] in ("=", "+", "-", "@") or text[:1] in ("\t", "\r"):
        text = "'" + text
    return text


CSV_COLUMNS = ("conversation_id", "started_at", "role", "language", "tags", "reviewed",
               "time", "from", "text", "intent", "confidence", "button")


def export_csv(records: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        for message in record["messages"]:
            writer.writerow([_cell(value) for value in (
                record["id"], record["started_at"], record["role"], record["language"],
                "; ".join(record["tags"]), "ja" if record["reviewed"] else "nee",
                message["time"], "bezoeker" if message["kind"] == "user" else "assistent",
                message.get("text", ""), message.get("intent"),
                "" if message.get("confidence") is None else f"{message['confidence']:.3f}",
                message.get("button") or "")])
    return "\ufeff" + out.getvalue()


# --- overview ----------------------------------------------------------------------------

@dataclass
class DayStats:
    day: dt.date
    by_role: dict[str, int] = field(default_factory=lambda: {role: 0 for role in ROLES})
    contact_open: int = 0
    contact_closed: int = 0
    danger_112: int = 0
    danger_113: int = 0
    fallbacks: int = 0
    user_messages: int = 0

    @property
    def conversations(self) -> int:
        return sum(self.by_role.values())

    def add_counts(self, source: Any) -> None:
        """Adds the flag and message counts of a conversation row or of another DayStats."""
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(source, name))


COUNTS = ("contact_open", "contact_closed", "danger_112", "danger_113", "fallbacks",
          "user_messages")


def overview(databases: Databases, first: dt.date, last: dt.date) -> list[DayStats]:
    c = db.conversations.c
    count = (last - first).days + 1
    days = [DayStats(first + dt.timedelta(days=n)) for n in range(count)]
    # Where each local day begins (23 or 25 hours around the clock changes).
    bounds = [day_start(first + dt.timedelta(days=n)) for n in range(count + 1)]
    with databases.staff.connect() as connection:
        rows = connection.execute(
            sa.select(c.started_at, c.role, c.contact_open, c.contact_closed, c.danger_112,
                      c.danger_113, c.fallbacks, c.user_messages)
            .where(c.started_at >= bounds[0], c.started_at < bounds[-1]))
        for row in rows:
            position = bisect.bisect_right(bounds, row.started_at) - 1
            if not 0 <= position < count:
                continue
            stats = days[position]
            stats.by_role[row.role if row.role in ROLES else "unknown"] += 1
            stats.add_counts(row)
    return days


def audit_entries(databases: Databases, limit: int = 200, offset: int = 0,
                  username: str | None = None) -> tuple[list[dict[str, Any]], int]:
    a = db.audit_log.c
    conditions = [a.username == username] if username else []
    with databases.staff.connect() as connection:
        total = int(connection.execute(sa.select(sa.func.count()).select_from(db.audit_log)
                                       .where(*conditions)).scalar_one())
        rows = [dict(row._mapping) for row in connection.execute(
            sa.select(db.audit_log).where(*conditions).order_by(a.id.desc())
            .limit(limit).offset(offset))]
    for row in rows:
        row["when"] = local(row["at"])
    return rows, total


def list_users(databases: Databases) -> list[dict[str, Any]]:
    with databases.staff.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(
            sa.select(db.users.c.username, db.users.c.is_admin, db.users.c.active,
                      db.users.c.may_search, db.users.c.created_at)
            .order_by(db.users.c.username))]

