"""The inbox of the staff app: messages the assistant may have misunderstood, labelled by staff,
exported as Rasa NLU training data for a developer to review and merge.

The queue (`/staff/inbox`) reads `staff_queue`, an index table with one row per visitor message
that may need a look. The conversation index refresh (web/staff/index.py) fills it from the
same events, incrementally, so no page view scans the events. A message is in the queue for
one or more reasons:

- `fallback`: the NLU gave `nlu_fallback`, or the assistant asked its clarifying question
  (`action_clarify`, also after a core fallback);
- `low_confidence`: the intent was chosen with a confidence below the threshold in the
  settings (`staff_inbox_low_confidence`); the index keeps every message below
  LOW_CONFIDENCE_CEILING, so the threshold can change without a rebuild;
- `role_correction`: the visitor corrected the role ("nee, ik vraag het voor mijn werk"):
  the `role` slot changed from one role to another; both the correcting message and the
  message it corrected are in the queue, each showing the other;
- `danger`: a danger intent, or a hit of the danger screen (the NLU result's `danger`, the
  channel's metadata `danger`), for staff to confirm or reject;
- `flagged`: a staff member pressed "Beoordeel dit bericht" in a transcript.

Labelling: "klopt" (the intent was right), another intent (the list and its Dutch one-line
descriptions come from docs/intents.md), or "niet bruikbaar". For the first two the reviewer
confirms that the text holds no personal data and may edit it first; the text shown is
redacted (again: the channel already redacted it before Rasa stored it) and the text stored is
that (redacted, edited) text, in `staff_training_examples`, without a conversation id. The label
row (`staff_queue_labels`) is the link to the conversation: the retention purge deletes the
link and keeps the example, a visitor's delete deletes the examples linked to it too. The audit
log gets who labelled what and when (verdict and intent, never text).

Export (`python -m web.staff.cli export-training-data --out FILE [--confirmed-as-test [FILE]]`
and a button for admins): the examples whose intent differs from what the assistant chose, as
Rasa NLU YAML (version "3.1", one block per intent); the confirmed ones ("klopt") can go to a
test file. Never an example twice, never one that is already in bot/data. Staff never change
the running model: the file goes to a developer.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
import yaml
from sqlalchemy.engine import Connection

from bot.lse import contract
from bot.lse.redaction import redact
from web.staff import db, events
from web.staff.db import Databases
from web.staff.queries import query_arg

logger = logging.getLogger("web.staff.inbox")

ROOT = Path(__file__).resolve().parents[2]
INTENTS_DOC = ROOT / "docs" / "intents.md"
TRAINING_DATA = ROOT / "bot" / "data"

PAGE_SIZE = 25
TEXT_LENGTH = 1000
BOT_TEXT_LENGTH = 600
# Messages below this confidence are kept in the index; the threshold of the settings
# (at most this) decides which of them are shown as "low confidence".
LOW_CONFIDENCE_CEILING = 0.9
DEFAULT_LOW_CONFIDENCE = 0.5
FALLBACK_INTENT = contract.INTENT_NLU_FALLBACK
CLARIFY_ACTION = contract.ACTION_CLARIFY
DANGER_INTENTS = contract.DANGER_INTENTS
ROLE_VALUES = contract.ROLES
VERDICTS = ("correct", "other", "unusable")

REASONS = {
    "fallback": "Niet begrepen of doorgevraagd",
    "low_confidence": "Twijfel (lage zekerheid)",
    "role_correction": "Rol gecorrigeerd",
    "danger": "Gevaar",
    "flagged": "Door medewerker gemarkeerd",
}
STATUSES = {"open": "Nog te beoordelen", "labelled": "Beoordeeld", "all": "Alles"}
VERDICT_LABELS = {"correct": "Klopt", "other": "Andere intentie", "unusable": "Niet bruikbaar"}
DANGER_KIND_LABELS = {"suicide": "zelfdoding", "harm_others": "gevaar voor anderen"}
AUDIT_LABELS = {"label": "bericht beoordeeld (inbox)", "flag": "bericht in de inbox gezet",
                "export_training": "trainingsdata geëxporteerd"}


# --- the intent list ----------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def intent_descriptions(path: Path = INTENTS_DOC) -> dict[str, str]:
    """intent -> its Dutch one-line description, from the table in docs/intents.md (the
    column "in het Nederlands"), in the order of that table."""
    found: dict[str, str] = {}
    column: int | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("|"):
            continue
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if column is None:
            if cells and cells[0] == "intent":
                column = next(i for i, cell in enumerate(cells)
                              if cell.lower().startswith("in het nederlands"))
            continue
        if set(cells[0]) <= {"-", ":"}:
            continue
        if len(cells) > column and re.fullmatch(r"[a-z_]+", cells[0]):
            found[cells[0]] = cells[column]
    if not found:
        raise ValueError(f"no Dutch intent descriptions in {path}")
    return found


# --- the queue index (called by web/staff/index.py) ---------------------------------------

def _short(text: str | None, length: int) -> str | None:
    if not text:
        return None
    return text if len(text) <= length else text[:length - 1] + "…"


@dataclass
class _Message:
    event_id: int
    sender_id: str
    at: float
    text: str
    language: str | None
    intent: str | None
    confidence: float | None
    ranking: list[tuple[str, float]]
    bot_before: str | None
    danger_kind: str | None
    bot_after: str | None = None
    fallback: bool = False
    role_correction: bool = False
    flagged: bool = False
    related_text: str | None = None

    @property
    def queued(self) -> bool:
        low = self.confidence is not None and self.confidence < LOW_CONFIDENCE_CEILING
        return (self.fallback or self.danger_kind is not None or self.role_correction
                or self.flagged or low or self.intent in DANGER_INTENTS)

    def row(self) -> dict[str, Any]:
        second = self.ranking[0] if self.ranking else (None, None)
        third = self.ranking[1] if len(self.ranking) > 1 else (None, None)
        return {
            "event_id": self.event_id, "sender_id": self.sender_id, "at": self.at,
            "language": self.language, "text": self.text[:TEXT_LENGTH],
            "intent": self.intent, "confidence": self.confidence,
            "intent_2": second[0], "confidence_2": second[1],
            "intent_3": third[0], "confidence_3": third[1],
            "bot_before": _short(self.bot_before, BOT_TEXT_LENGTH),
            "bot_after": _short(self.bot_after, BOT_TEXT_LENGTH),
            "fallback": self.fallback,
            "danger": self.danger_kind is not None or self.intent in DANGER_INTENTS,
            "danger_kind": self.danger_kind, "role_correction": self.role_correction,
            "flagged": self.flagged,
            "related_text": self.related_text[:TEXT_LENGTH] if self.related_text else None,
        }


def _danger_kind(message: events.UserMessage) -> str | None:
    """The danger screen's kind: from the NLU result, else from the channel's metadata."""
    kind = message.danger.get("kind")
    if isinstance(kind, str) and kind:
        return kind[:20]
    kind = message.metadata.get("danger")
    return kind[:20] if isinstance(kind, str) and kind else None


def queue_messages(sender_id: str, rows: Iterable[Any],
                   flagged: Set[int] = frozenset()) -> list[dict[str, Any]]:
    """The queue rows of one conversation from its events (id order; `data` of user, bot
    and slot events)."""
    messages: list[_Message] = []
    last_bot: str | None = None
    pending: _Message | None = None       # the latest visitor message
    language: str | None = None
    role: str | None = None
    role_message: _Message | None = None  # the message that set the current role
    for row in rows:
        kind = row.type_name
        if kind == events.USER:
            message = events.user_message(row)
            name = message.intent
            ranking = [(other[:80], confidence) for other, confidence in message.ranking
                       if other != name][:2]
            text = message.text
            message_language = message.metadata.get("language")
            pending = _Message(
                event_id=int(row.id), sender_id=sender_id, at=float(row.timestamp or 0.0),
                text=text, language=(message_language if message_language in contract.LANGUAGES
                                     else language),
                intent=name[:80] if name else None, confidence=message.confidence,
                ranking=ranking, bot_before=last_bot,
                danger_kind=_danger_kind(message),
                fallback=name == FALLBACK_INTENT, flagged=int(row.id) in flagged)
            if text.strip():
                messages.append(pending)
        elif kind == events.BOT:
            text = events.bot_message(row).text
            if text:
                last_bot = text
                if pending is not None and pending.bot_after is None:
                    pending.bot_after = text
        elif kind == events.ACTION:
            if row.action_name == CLARIFY_ACTION and pending is not None:
                pending.fallback = True
        elif kind == events.SLOT:
            name, value = events.slot(row)
            if name == contract.SLOT_LANGUAGE and value in contract.LANGUAGES:
                language = value
            elif name == contract.SLOT_ROLE:
                value = value if value in ROLE_VALUES else None
                if (value and role and value != role and pending is not None
                        and role_message is not None and role_message is not pending):
                    pending.role_correction = True
                    pending.related_text = f"Corrigeert: {role_message.text}"
                    role_message.role_correction = True
                    role_message.related_text = f"Later gecorrigeerd met: {pending.text}"
                if value != role:
                    role_message = pending if value else None
                role = value
        elif kind == events.RESTART:
            role, role_message = None, None
    return [message.row() for message in messages if message.queued]


def write_queue(staff: Connection, senders: Sequence[str],
                grouped: dict[str, list[Any]]) -> int:
    """Recomputes the queue rows of `senders` (inside the index lock of the caller)."""
    q = db.queue.c
    staff.execute(db.queue.delete().where(q.sender_id.in_(list(senders))))
    flagged: dict[str, set[int]] = {}
    for row in staff.execute(sa.select(db.queue_flags.c.sender_id, db.queue_flags.c.event_id)
                             .where(db.queue_flags.c.sender_id.in_(list(senders)))):
        flagged.setdefault(row.sender_id, set()).add(row.event_id)
    per_sender = {sender: queue_messages(sender, grouped.get(sender, []),
                                         flagged.get(sender, set())) for sender in senders}
    rows = [row for found in per_sender.values() for row in found]
    if not rows:
        return 0
    try:
        with staff.begin_nested():
            staff.execute(db.queue.insert(), rows)
        return len(rows)
    except (sa.exc.SQLAlchemyError, ValueError):
        pass
    written = 0
    for sender, found in per_sender.items():  # one bad conversation must not stop the rest
        if not found:
            continue
        try:
            with staff.begin_nested():
                staff.execute(db.queue.insert(), found)
            written += len(found)
        except (sa.exc.SQLAlchemyError, ValueError) as error:
            logger.error("inbox: messages of conversation %s not indexed (%s)", sender,
                         type(error).__name__)
    return written


# --- retention (called by web/staff/retention.py) -----------------------------------------

def delete_for(staff: Connection, senders: Sequence[str], with_examples: bool) -> int:
    """Deletes the queue rows, flags and labels (the links) of these conversations; with
    `with_examples` (a visitor's delete) also the training examples taken from them.
    Returns the number of examples deleted."""
    senders = list(senders)
    if not senders:
        return 0
    deleted = 0
    if with_examples:
        examples = [row[0] for row in staff.execute(
            sa.select(db.queue_labels.c.example_id).where(
                db.queue_labels.c.sender_id.in_(senders),
                db.queue_labels.c.example_id.is_not(None)))]
        if examples:
            deleted = staff.execute(db.training_examples.delete().where(
                db.training_examples.c.id.in_(examples))).rowcount or 0
    for table in (db.queue, db.queue_flags, db.queue_labels):
        staff.execute(table.delete().where(table.c.sender_id.in_(senders)))
    return deleted


def annotated_senders(staff: Connection) -> set[str]:
    """Conversations with inbox rows of their own (for the purge's orphan check)."""
    found: set[str] = set()
    for table in (db.queue_flags, db.queue_labels):
        found |= {row[0] for row in staff.execute(sa.select(table.c.sender_id).distinct())}
    return found


# --- the queue --------------------------------------------------------------------------

def _parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip()[:10]) if value else None
    except ValueError:
        return None


@dataclass
class QueueFilter:
    reason: str | None = None
    intent: str | None = None
    language: str | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    status: str = "open"
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> QueueFilter:
        def get(name: str) -> str:
            return query_arg(args, name)

        reason, intent, language, status = get("reason"), get("intent"), get("language"), \
            get("status")
        try:
            page = max(1, min(int(get("page") or 1), 1_000_000))
        except ValueError:
            page = 1
        known = set(intent_descriptions()) | {FALLBACK_INTENT}
        return cls(reason=reason if reason in REASONS else None,
                   intent=intent if intent in known else None,
                   language=language if language in contract.LANGUAGES else None,
                   date_from=_parse_date(get("from")), date_to=_parse_date(get("to")),
                   status=status if status in STATUSES else "open", page=page)

    def query_items(self, page: int | None = None, **changes: Any) -> list[tuple[str, str]]:
        values = {"reason": self.reason, "intent": self.intent, "language": self.language,
                  "from": self.date_from.isoformat() if self.date_from else None,
                  "to": self.date_to.isoformat() if self.date_to else None,
                  "status": None if self.status == "open" else self.status}
        values.update(changes)
        items = [(key, value) for key, value in values.items() if value]
        if page is not None and page > 1:
            items.append(("page", str(page)))
        return items

    def query(self, page: int | None = None, **changes: Any) -> str:
        return urlencode(self.query_items(page, **changes))


def _reason_condition(reason: str, threshold: float) -> Any:
    q = db.queue.c
    if reason == "low_confidence":
        return sa.and_(q.confidence < threshold, q.fallback.is_(False))
    return getattr(q, reason).is_(True)


def _any_reason(threshold: float) -> Any:
    return sa.or_(*(_reason_condition(reason, threshold) for reason in REASONS))


def _conditions(flt: QueueFilter, threshold: float, with_reason: bool = True) -> list[Any]:
    from web.staff.queries import day_start  # the LSE's day, as in the list
    q = db.queue.c
    conditions: list[Any] = [_any_reason(threshold)]
    if with_reason and flt.reason:
        conditions.append(_reason_condition(flt.reason, threshold))
    if flt.intent:
        conditions.append(q.intent == flt.intent)
    if flt.language:
        conditions.append(q.language == flt.language)
    if flt.date_from:
        conditions.append(q.at >= day_start(flt.date_from))
    if flt.date_to:
        conditions.append(q.at < day_start(flt.date_to + dt.timedelta(days=1)))
    labelled = sa.select(db.queue_labels.c.event_id)
    if flt.status == "open":
        conditions.append(q.event_id.not_in(labelled))
    elif flt.status == "labelled":
        conditions.append(q.event_id.in_(labelled))
    return conditions


@dataclass
class QueuePage:
    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int
    counts: dict[str, int] = field(default_factory=dict)


def reasons_of(row: Any, threshold: float) -> list[str]:
    found = [reason for reason in ("danger", "fallback", "role_correction", "flagged")
             if row["fallback" if reason == "fallback" else reason]]
    if (row["confidence"] is not None and row["confidence"] < threshold
            and not row["fallback"]):
        found.insert(1 if row["danger"] else 0, "low_confidence")
    return found


def list_queue(databases: Databases, flt: QueueFilter, threshold: float,
               page_size: int = PAGE_SIZE) -> QueuePage:
    from web.staff.queries import local
    q = db.queue.c
    lab = db.queue_labels.c
    threshold = clamp_threshold(threshold)
    with databases.staff.connect() as connection:
        # Counts per reason over the other filters (reason itself left out).
        base = _conditions(flt, threshold, with_reason=False)
        sums = [sa.func.coalesce(sa.func.sum(sa.case((_reason_condition(reason, threshold), 1),
                                                     else_=0)), 0).label(reason)
                for reason in REASONS]
        counted = connection.execute(sa.select(sa.func.count().label("all"), *sums)
                                     .select_from(db.queue).where(*base)).one()
        counts = {"all": int(counted.all), **{reason: int(getattr(counted, reason))
                                              for reason in REASONS}}
        total = counts[flt.reason] if flt.reason else counts["all"]
        pages = max(1, (total + page_size - 1) // page_size)
        page = min(flt.page, pages)
        query = (sa.select(db.queue, lab.verdict, lab.intent.label("label_intent"),
                           lab.labelled_by, lab.labelled_at, lab.example_id,
                           db.training_examples.c.text.label("example_text"))
                 .select_from(db.queue.outerjoin(db.queue_labels, lab.event_id == q.event_id)
                              .outerjoin(db.training_examples,
                                         db.training_examples.c.id == lab.example_id))
                 .where(*_conditions(flt, threshold))
                 .order_by(q.at.desc(), q.event_id.desc())
                 .limit(page_size).offset((page - 1) * page_size))
        rows = [dict(row._mapping) for row in connection.execute(query)]
    descriptions = intent_descriptions()
    for row in rows:
        # The channel redacts every message before Rasa stores it; redacting again here,
        # with the current finders, covers what older versions missed.
        row["text"] = redact(row["text"])
        row["related_text"] = redact(row["related_text"]) if row["related_text"] else None
        row["when"] = local(row["at"])
        row["labelled"] = local(row["labelled_at"]) if row["labelled_at"] else None
        row["reasons"] = reasons_of(row, threshold)
        row["description"] = descriptions.get(row["intent"] or "", "")
    return QueuePage(rows, total, page, pages, counts)


def clamp_threshold(value: float) -> float:
    return max(0.0, min(float(value), LOW_CONFIDENCE_CEILING))


# --- labelling --------------------------------------------------------------------------

class LabelError(ValueError):
    """A label that cannot be saved; the message is Dutch, for the reviewer."""


def clean_text(text: str) -> str:
    """One line, no control characters, redacted again (the reviewer's edit may not add an
    identifier back)."""
    text = "".join(ch if ch.isprintable() else " " for ch in (text or ""))
    return redact(" ".join(text.split()))[:TEXT_LENGTH]


def label(databases: Databases, event_id: int, verdict: str, intent: str | None,
          text: str | None, no_personal_data: bool, by: str) -> str:
    """Saves (or changes) the label of a queued message; returns the verdict stored."""
    if verdict not in VERDICTS:
        raise LabelError("Kies 'klopt', een andere intentie of 'niet bruikbaar'.")
    descriptions = intent_descriptions()
    now = time.time()
    with databases.staff.begin() as connection:
        row = connection.execute(sa.select(db.queue).where(
            db.queue.c.event_id == event_id)).first()
        if row is None:
            raise LabelError("Dit bericht staat niet (meer) in de inbox.")
        predicted = row.intent
        if verdict == "other":
            if intent not in descriptions:
                raise LabelError("Kies een intentie uit de lijst.")
            if intent == predicted:
                verdict = "correct"
        if verdict == "correct":
            if predicted not in descriptions:
                raise LabelError("De assistent koos geen intentie uit de lijst; kies de "
                                 "intentie die past.")
            intent = predicted
        example_text = ""
        if verdict != "unusable":
            if not no_personal_data:
                raise LabelError("Bevestig eerst dat het bericht geen persoonsgegevens bevat "
                                 "(of haal ze weg), of kies 'niet bruikbaar'.")
            example_text = clean_text(text if text is not None else row.text)
            if not example_text:
                raise LabelError("Het voorbeeld is leeg.")
        else:
            intent = None
        existing = connection.execute(sa.select(db.queue_labels).where(
            db.queue_labels.c.event_id == event_id)).first()
        example_id = existing.example_id if existing else None
        edited = bool(example_text) and example_text != clean_text(row.text)
        if verdict == "unusable":
            if example_id is not None:
                connection.execute(db.training_examples.delete().where(
                    db.training_examples.c.id == example_id))
            example_id = None
        elif example_id is not None:
            connection.execute(db.training_examples.update()
                               .where(db.training_examples.c.id == example_id)
                               .values(text=example_text, intent=intent,
                                       predicted_intent=predicted, language=row.language,
                                       updated_at=now))
        else:
            example_id = connection.execute(db.training_examples.insert().values(
                text=example_text, intent=intent, predicted_intent=predicted,
                language=row.language, created_at=now, updated_at=now)).inserted_primary_key[0]
        values = {"verdict": verdict, "intent": intent, "predicted_intent": predicted,
                  "example_id": example_id, "labelled_by": by, "labelled_at": now}
        if existing:
            connection.execute(db.queue_labels.update()
                               .where(db.queue_labels.c.event_id == event_id).values(**values))
        else:
            connection.execute(db.queue_labels.insert().values(
                event_id=event_id, sender_id=row.sender_id, **values))
        detail = {"correct": f"klopt: {intent}", "other": f"{predicted} -> {intent}",
                  "unusable": "niet bruikbaar"}[verdict]
        if existing:
            detail += f" (was {existing.verdict} van {existing.labelled_by})"
        if edited:
            detail += ", tekst aangepast"
        connection.execute(db.audit_log.insert().values(
            at=now, username=by, action="label", sender_id=row.sender_id,
            detail=detail[:255]))
    return verdict


def flag(databases: Databases, sender_id: str, event_id: int, by: str) -> bool:
    """Puts a visitor message of a transcript in the queue; False when there is no such
    message in that conversation."""
    from web.staff import index
    e = db.events.c
    with databases.staff.begin() as staff, databases.tracker.connect() as tracker:
        found = tracker.execute(sa.select(e.id).where(
            e.id == event_id, e.sender_id == sender_id, e.type_name == "user")).first()
        if found is None:
            return False
        index.lock(staff)
        exists = staff.execute(sa.select(db.queue_flags.c.event_id).where(
            db.queue_flags.c.event_id == event_id)).first()
        if not exists:
            staff.execute(db.queue_flags.insert().values(
                event_id=event_id, sender_id=sender_id, flagged_by=by, flagged_at=time.time()))
        index.write_summaries(staff, tracker, [sender_id])
        staff.execute(db.audit_log.insert().values(
            at=time.time(), username=by, action="flag", sender_id=sender_id,
            detail=f"bericht {event_id}"))
    return True


# --- export -----------------------------------------------------------------------------

def _normal(text: str) -> str:
    return " ".join(text.casefold().split())


_ENTITY_MARKUP = re.compile(r"\[([^\]]+?)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")


def training_texts(data: Path = TRAINING_DATA) -> set[str]:
    """The (normalised) texts of every intent example in the training data."""
    found: set[str] = set()
    for path in sorted(Path(data).rglob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in content.get("nlu") or [] if isinstance(content, dict) else []:
            if not isinstance(item, dict) or "intent" not in item:
                continue
            for line in str(item.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    found.add(_normal(_ENTITY_MARKUP.sub(r"\1", line[2:])))
    return found


def _yaml_line(text: str) -> str:
    """An example as one line of an `examples: |` block that Rasa reads as plain text: no
    entity markup ("[x](y)", "[x]{...}", "[x][...]")."""
    text = " ".join(text.split())
    return re.sub(r"\](?=[({\[])", "] ", text)


@dataclass
class Export:
    text: str
    examples: int
    intents: int
    skipped_known: int = 0
    skipped_duplicate: int = 0


def _render(blocks: dict[str, list[str]], title: str) -> str:
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [f"# {title}", f"# Exported from the staff inbox on {stamp}. Labelled by LSE staff "
             "from real conversations", "# (text only, personal data removed by the reviewer). "
             "Review before merging into bot/data/nlu.", 'version: "3.1"']
    if not blocks:
        lines.append("nlu: []")
        return "\n".join(lines) + "\n"
    lines.append("nlu:")
    for intent in sorted(blocks):
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {example}" for example in blocks[intent])
    return "\n".join(lines) + "\n"


def export_training_data(databases: Databases, confirmed: bool = False,
                         data: Path = TRAINING_DATA) -> Export:
    """The corrected examples (`confirmed`: the ones staff confirmed, for a test file) as
    Rasa NLU YAML. The newest label of a text wins; texts already in the training data, or
    exported with another intent, are left out."""
    known = training_texts(data)
    te = db.training_examples.c
    descriptions = intent_descriptions()
    with databases.staff.connect() as connection:
        rows = connection.execute(sa.select(te.text, te.intent, te.predicted_intent)
                                  .order_by(te.updated_at.desc(), te.id.desc())).all()
    seen: set[str] = set()
    blocks: dict[str, list[str]] = {}
    skipped_known = skipped_duplicate = 0
    for row in rows:  # newest first: the newest label of a text wins
        line = _yaml_line(row.text)
        key = _normal(line)
        if not key or row.intent not in descriptions:
            continue
        if key in seen:
            skipped_duplicate += 1
            continue
        seen.add(key)
        if key in known:
            skipped_known += 1
            continue
        corrected = row.intent != row.predicted_intent
        if corrected == (not confirmed):
            blocks.setdefault(row.intent, []).append(line)
    for examples in blocks.values():
        examples.sort(key=str.casefold)
    title = ("Examples the assistant understood correctly, confirmed by staff (a test set)"
             if confirmed else "Examples the assistant misunderstood, with the intent staff chose")
    return Export(_render(blocks, title), sum(len(v) for v in blocks.values()), len(blocks),
                  skipped_known, skipped_duplicate)


def audit_export(databases: Databases, by: str, result: Export, confirmed: bool) -> None:
    with databases.staff.begin() as connection:
        connection.execute(db.audit_log.insert().values(
            at=time.time(), username=by, action="export_training", sender_id=None,
            detail=f"{'test' if confirmed else 'training'}: {result.examples} voorbeelden, "
                   f"{result.intents} intenties"))


# --- quality over time (the overview) ---------------------------------------------------

@dataclass
class WeekQuality:
    monday: dt.date
    messages: int = 0
    reasons: dict[str, int] = field(default_factory=lambda: {reason: 0 for reason in REASONS})
    labelled: int = 0
    corrected: int = 0

    def share(self, reason: str) -> float | None:
        return self.reasons[reason] / self.messages if self.messages else None

    @property
    def corrected_share(self) -> float | None:
        return self.corrected / self.labelled if self.labelled else None


@dataclass
class Quality:
    weeks: list[WeekQuality]
    top_corrected: list[tuple[str, int]]


def quality(databases: Databases, first: dt.date, last: dt.date, threshold: float) -> Quality:
    """Per week (Monday, Amsterdam time) in the period: visitor messages, queued messages by
    reason, labelled and corrected ones; and the intents the assistant chose that staff
    corrected most often."""
    from web.staff.queries import day_start
    threshold = clamp_threshold(threshold)
    monday = first - dt.timedelta(days=first.weekday())
    weeks: list[WeekQuality] = []
    while monday <= last:
        weeks.append(WeekQuality(monday))
        monday += dt.timedelta(days=7)
    bounds = [day_start(week.monday) for week in weeks] + [
        day_start(weeks[-1].monday + dt.timedelta(days=7))]
    lower, upper = day_start(first), day_start(last + dt.timedelta(days=1))

    c, q, lab = db.conversations.c, db.queue.c, db.queue_labels.c

    def bucket(column: Any) -> Any:
        """The week a timestamp falls in (an index into `weeks`), computed by the database."""
        return sa.case(*((column < bounds[n + 1], n) for n in range(len(weeks))),
                       else_=len(weeks)).label("week")

    def total(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    top: Counter = Counter()
    with databases.staff.connect() as connection:
        week = bucket(c.started_at)
        for row in connection.execute(
                sa.select(week, sa.func.coalesce(sa.func.sum(c.user_messages), 0))
                .where(c.started_at >= lower, c.started_at < upper).group_by(week)):
            if 0 <= row[0] < len(weeks):
                weeks[row[0]].messages += int(row[1])
        week = bucket(q.at)
        columns = [total(_reason_condition(reason, threshold)).label(reason)
                   for reason in REASONS]
        joined = db.queue.outerjoin(db.queue_labels, lab.event_id == q.event_id)
        for row in connection.execute(
                sa.select(week, *columns, total(lab.verdict.is_not(None)).label("labelled"),
                          total(lab.verdict == "other").label("corrected"))
                .select_from(joined)
                .where(q.at >= lower, q.at < upper, _any_reason(threshold)).group_by(week)):
            if not 0 <= row.week < len(weeks):
                continue
            stats = weeks[row.week]
            for reason in REASONS:
                stats.reasons[reason] += int(getattr(row, reason))
            stats.labelled += int(row.labelled)
            stats.corrected += int(row.corrected)
        for row in connection.execute(
                sa.select(lab.predicted_intent, sa.func.count().label("n")).select_from(joined)
                .where(q.at >= lower, q.at < upper, lab.verdict == "other")
                .group_by(lab.predicted_intent)):
            top[row.predicted_intent or "?"] += int(row.n)
    return Quality(weeks, top.most_common(5))


# --- routes -----------------------------------------------------------------------------

def inbox_routes(staff: Any) -> Any:
    """The inbox's blueprint (in the staff app's group, behind its deny-by-default middleware
    and CSRF check); called from web/staff/routes.register."""
    from sanic import Blueprint
    from sanic.request import Request
    from sanic.response import HTTPResponse, raw, redirect

    from web.staff import access, index, routes

    bp = Blueprint("staff_inbox")

    def threshold() -> float:
        return clamp_threshold(getattr(staff.settings, "staff_inbox_low_confidence",
                                       DEFAULT_LOW_CONFIDENCE))

    def back(target: str | None, fallback: str) -> str:
        if target and target.startswith("/staff/") and routes._safe_next(target) == target:
            return target
        return fallback

    @bp.get("/inbox")
    async def inbox_page(request: Request) -> HTTPResponse:
        up_to_date = await staff.run(index.refresh, staff.databases, 5000)
        flt = QueueFilter.from_args(request.args)
        page = await staff.run(list_queue, staff.databases, flt, threshold())
        here = "/staff/inbox" + (f"?{flt.query(page.page)}" if flt.query(page.page) else "")
        return staff.page(request, "inbox.html", flt=flt, page=page, up_to_date=up_to_date,
                          reasons=REASONS, statuses=STATUSES, verdicts=VERDICT_LABELS,
                          danger_kinds=DANGER_KIND_LABELS, intents=intent_descriptions(),
                          threshold=threshold(), here=here,
                          saved=request.args.get("saved"), error=request.args.get("error"))

    @bp.post("/inbox/label")
    async def inbox_label(request: Request) -> HTTPResponse:
        form = request.form
        target = back(form.get("next"), "/staff/inbox")
        event_id = _event_id(form.get("event_id"))
        if event_id is None:
            return routes._denied(request, 400, "Onbekend bericht.")
        separator = "&" if "?" in target else "?"
        try:
            await staff.run(label, staff.databases, event_id, form.get("verdict") or "",
                            form.get("intent") or None, form.get("text"),
                            form.get("no_personal_data") == "1",
                            request.ctx.session.staff.username)
        except LabelError as error:
            return redirect(f"{target}{separator}{urlencode({'error': str(error)})}"
                            f"#bericht-{event_id}", status=303)
        return redirect(f"{target}{separator}saved={event_id}#bericht-{event_id}", status=303)

    @bp.post("/conversations/<conversation_id:str>/flag")
    async def inbox_flag(request: Request, conversation_id: str) -> HTTPResponse:
        event_id = _event_id(request.form.get("event_id"))
        if event_id is None:
            return routes._denied(request, 400, "Onbekend bericht.")
        ok = await staff.run(flag, staff.databases, conversation_id, event_id,
                             request.ctx.session.staff.username)
        if not ok:
            return routes._denied(request, 404, "Dit bericht bestaat niet (meer).")
        from urllib.parse import quote
        return redirect(f"/staff/conversations/{quote(conversation_id, safe='')}?saved=flag",
                        status=303)

    @bp.post("/inbox/export")
    @access.admin_only
    async def inbox_export(request: Request) -> HTTPResponse:
        confirmed = request.form.get("kind") == "test"
        result = await staff.run(export_training_data, staff.databases, confirmed)
        await staff.run(audit_export, staff.databases, request.ctx.session.staff.username,
                        result, confirmed)
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M")
        name = f"lse-{'test' if confirmed else 'training'}-nlu-{stamp}.yml"
        return raw(result.text.encode("utf-8"), content_type="application/x-yaml; charset=utf-8",
                   headers={"Content-Disposition": f'attachment; filename="{name}"'})

    @bp.get("/inbox/quality.svg")
    async def inbox_quality_chart(request: Request) -> HTTPResponse:
        from web.staff import inbox_chart
        first, last = _period(request.args)
        stats = await staff.run(quality, staff.databases, first, last, threshold())
        svg = await staff.run(inbox_chart.render, stats)
        return raw(svg, content_type="image/svg+xml")

    return bp


def _event_id(value: str | None) -> int | None:
    """An events.id from a form: a positive number that fits the column, else None."""
    try:
        number = int((value or "").strip())
    except ValueError:
        return None
    return number if 0 < number < 2 ** 31 else None


def _period(args: Any) -> tuple[dt.date, dt.date]:
    """The overview's period (the same rules as its other charts)."""
    from web.staff.queries import parse_date, zone
    today = dt.datetime.now(zone()).date()
    last = parse_date(args.get("to")) or today
    first = parse_date(args.get("from")) or (last - dt.timedelta(days=29))
    if first > last:
        first, last = last, first
    return max(first, last - dt.timedelta(days=366)), last
