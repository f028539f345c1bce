"""Dutch person names, places, hospitals and dates with `deduce` (UMC Utrecht), configured
for this assistant only.

deduce's default set-up loads every lookup structure it ships (153,000 streets with all
their spelling variants, 48,000 healthcare institutions): about 1.2 GB of memory and 8 s
from its cache. This assistant needs far less, so it runs deduce on a reduced copy of its
lookup lists:
- kept: first names, surnames, initials, name prefixes and interfixes, the whitelist of
  common Dutch words (so "Wil", "Roos" in a sentence are judged in context), Dutch place
  names and the hospital list;
- left out: the street trie and deduce's street pattern (the streets are found by bot/lse/redaction.py's patterns and a
  plain set of the same street names, only before a house number), the healthcare
  institutions, eponymous diseases, and deduce's own finders for ages, BSN, phone numbers,
  e-mail addresses, links and postcodes (redaction.py has better ones: phonenumbers,
  python-stdnum, a postcode pattern that leaves "2024 IS-filmpjes" alone).

The reduced lists and deduce's pickled lookup structures are built once, at install time
(`python -m bot.lse.deidentify build`, run by scripts/install.sh), under
`<venv>/share/lse-deduce` (or `$LSE_DEDUCE_DIR`). `load()` reads them (0.2 s, about 40 MB);
when the cache is missing it is built then (2 s) and a warning says install.sh was skipped.

No Rasa imports. Importing deduce calls `logging.basicConfig(level=DEBUG)` when the root
logger has no handler yet; `_import_deduce` prevents that, so no visitor text is ever
logged by it.
"""
from __future__ import annotations

import gc
import json
import logging
import os
import shutil
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

DEDUCE_VERSION = "3.0.3"

# deduce's own annotators that this assistant uses (base_config.json of deduce 3.0.3).
ANNOTATORS = (
    "prefix_with_initial", "prefix_with_interfix", "prefix_with_name", "interfix_with_name",
    "initial_with_name", "initial_interfix", "first_name_lookup", "surname_lookup",
    "name_context", "placename", "postbus",
    "hospital", "date_dmy_1", "date_dmy_2", "date_ymd_1", "date_ymd_2",
)
# Lookup lists left empty in the reduced copy (their structures are the large ones).
EMPTY_LISTS = (
    "locations/lst_street",
    "institutions/lst_healthcare_institution",
    "whitelist/lst_eponymous_disease",
)

# What deduce's tags become (bot/lse/redaction.py turns the kind into a placeholder).
PERSON, PLACE, ADDRESS, DATE, INSTITUTION, POSTCODE = (
    "naam", "plaats", "adres", "datum", "instelling", "postcode")
_KIND_OF_TAG = {
    "persoon": PERSON, "locatie": PLACE, "datum": DATE, "ziekenhuis": INSTITUTION,
    "zorginstelling": INSTITUTION,
}


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str
    text: str


def default_dir() -> Path:
    configured = os.environ.get("LSE_DEDUCE_DIR")
    return Path(configured) if configured else Path(sys.prefix) / "share" / "lse-deduce"


def _import_deduce() -> tuple[Any, Any]:
    root = logging.getLogger()
    guard = None
    if not root.handlers:
        # deduce/deduce.py runs logging.basicConfig(stream=sys.stdout, level=DEBUG) at import.
        guard = logging.NullHandler()
        root.addHandler(guard)
    try:
        import deduce
        import deduce.deduce as deduce_module
    finally:
        if guard is not None:
            root.removeHandler(guard)
    if deduce.__version__ != DEDUCE_VERSION:  # the config below is deduce 3.0.3's
        raise RuntimeError(f"deduce {DEDUCE_VERSION} is needed, found {deduce.__version__}")
    _define_bounded_context_annotator()
    return deduce, deduce_module


BoundedContextAnnotator = None  # defined once deduce is imported (_import_deduce)
CONTEXT_ROUNDS = 3


def _define_bounded_context_annotator() -> None:
    """deduce's ContextAnnotator with at most CONTEXT_ROUNDS rounds of extension.

    deduce's own (iterative=True) extends a name by one word per round and repeats until
    nothing changes: on "Jan Jan Jan ..." (250 names in 1000 characters) that is 250 rounds
    over 250 annotations, 3 s for one message. Three rounds still join "Jan Peter de Vries"."""
    global BoundedContextAnnotator
    if BoundedContextAnnotator is not None:
        return
    import docdeid
    from deduce.annotator import ContextAnnotator

    class _Bounded(ContextAnnotator):  # type: ignore[misc]  # deduce is untyped
        def __init__(self, *args: Any, ds: Any = None, rounds: int = CONTEXT_ROUNDS,
                     **kwargs: Any) -> None:
            self.rounds = rounds
            super().__init__(*args, ds=ds, **kwargs)

        def _annotate(self, text: Any, annotations: Any, _round: int = 1) -> Any:
            original = annotations.copy()
            for context_pattern in self.pattern:
                annotations = self._apply_context_pattern(text, annotations, context_pattern)
            if self.iterative and _round < self.rounds:
                changed = docdeid.AnnotationSet(annotations.difference(original))
                annotations = docdeid.AnnotationSet(annotations.intersection(original))
                if changed:
                    annotations.update(self._annotate(text, changed, _round + 1))
            return annotations

    _Bounded.__name__ = _Bounded.__qualname__ = "BoundedContextAnnotator"
    _Bounded.__module__ = __name__
    BoundedContextAnnotator = _Bounded


def _config(deduce_module: Any) -> dict[str, Any]:
    with open(deduce_module._BASE_CONFIG_FILE, encoding="utf-8") as handle:
        config = json.load(handle)
    missing = [name for name in ANNOTATORS if name not in config["annotators"]]
    if missing:
        raise RuntimeError(f"deduce's base config has no {missing}")
    config["annotators"] = {name: config["annotators"][name] for name in ANNOTATORS}
    name_context = config["annotators"]["name_context"]
    if name_context["annotator_type"] != "deduce.annotator.ContextAnnotator":
        raise RuntimeError("deduce's name_context is no longer a ContextAnnotator")
    name_context["annotator_type"] = f"{__name__}.BoundedContextAnnotator"
    return dict(config)


def _cache_file(data_dir: Path) -> Path:
    return data_dir / "cache" / "lookup_structs.pickle"


def build(data_dir: Path | None = None) -> Path:
    """Writes the reduced lookup lists and deduce's cache of them to `data_dir`."""
    data_dir = Path(data_dir or default_dir())
    deduce, deduce_module = _import_deduce()
    source = Path(deduce_module._LOOKUP_LIST_PATH)
    tmp = data_dir.with_name(data_dir.name + ".tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(source / "src", tmp / "src")
    for name in EMPTY_LISTS:
        shutil.rmtree(tmp / "src" / name)
        (tmp / "src" / name).mkdir()
        (tmp / "src" / name / "items.txt").write_text("", encoding="utf-8")
    # The street names themselves, for the "street + house number" finder (one per line).
    shutil.copyfile(source / "src" / "locations" / "lst_street" / "items.txt", tmp / "streets.txt")
    deduce.Deduce(load_base_config=False, config=_config(deduce_module), lookup_data_path=tmp,
                  cache_path=tmp, build_lookup_structs=True)
    shutil.rmtree(data_dir, ignore_errors=True)
    tmp.rename(data_dir)
    return data_dir


def _lower_items(folder: Path) -> frozenset[str]:
    """Every line of the items.txt files under `folder`, in lower case."""
    items: set[str] = set()
    for path in folder.rglob("items.txt"):
        with open(path, encoding="utf-8") as handle:
            items.update(line.strip().casefold() for line in handle if len(line.strip()) >= 2)
    return frozenset(items)


class Deidentifier:
    """deduce on the reduced lists, plus the set of Dutch street names."""

    def __init__(self, data_dir: Path | None = None):
        data_dir = Path(data_dir or default_dir())
        deduce, deduce_module = _import_deduce()
        if not _cache_file(data_dir).exists():
            logger.warning("deduce's lookup cache is missing at %s (scripts/install.sh builds "
                           "it): building it now", data_dir)
            build(data_dir)
        self._deduce = deduce.Deduce(load_base_config=False, config=_config(deduce_module),
                                     lookup_data_path=data_dir, cache_path=data_dir)
        with open(data_dir / "streets.txt", encoding="utf-8") as handle:
            self.streets: frozenset[str] = frozenset(
                line.strip().casefold() for line in handle if len(line.strip()) >= 3)
        self.first_names: frozenset[str] = _lower_items(
            data_dir / "src" / "names" / "lst_first_name")
        self.places: frozenset[str] = _lower_items(data_dir / "src" / "locations" / "lst_placename")
        # Ordinary Dutch words (deduce's 1,000 most frequent words and its stop words; not its
        # medical terms, which hold names such as "Ilias").
        whitelist = data_dir / "src" / "whitelist"
        # Like deduce, a word that is also a surname ("jong", "bos", "wit") is not counted.
        surnames = _lower_items(data_dir / "src" / "names" / "lst_surname")
        self.common_words: frozenset[str] = (
            (_lower_items(whitelist / "lst_common_word") - surnames)
            | _lower_items(whitelist / "lst_stop_word"))

    def find(self, text: str) -> list[Span]:
        """Names, places, hospitals and dates in `text` (character offsets of `text`)."""
        if not text.strip():
            return []
        document = self._deduce.deidentify(text)
        spans = []
        for annotation in document.annotations:
            kind = _KIND_OF_TAG.get(annotation.tag)
            if kind is None or (kind == INSTITUTION and not annotation.text[:1].isupper()):
                # deduce matches hospital names in any case ("holy" is a hospital in Vlaardingen)
                continue
            if kind == PLACE and any(char.isdigit() for char in annotation.text):
                # "1234 AB" (deduce's postcode) or "Kerkstraat 12", "Postbus 12".
                kind = POSTCODE if annotation.text[:4].isdigit() else ADDRESS
            spans.append(Span(annotation.start_char, annotation.end_char, kind, annotation.text))
        return sorted(spans, key=lambda span: span.start)


_loaded: Deidentifier | None = None
_lock = threading.Lock()


def get() -> Deidentifier:
    """The process's one Deidentifier (loaded on first use; `load()` at start-up)."""
    global _loaded
    if _loaded is None:
        with _lock:
            if _loaded is None:
                _loaded = Deidentifier()
                # deduce's lookup structures are a large graph of small objects that live as
                # long as the process: every full run of Python's cyclic garbage collector
                # walked them (about 120-170 ms, a pause in whichever message was being
                # handled). Collect once, then move everything alive now out of the
                # collector's reach (gc.freeze, Python 3.7+).
                gc.collect()
                gc.freeze()
    return _loaded


load = get


def main(argv: list[str]) -> int:
    if argv[:1] == ["build"]:
        target = Path(argv[1]) if len(argv) > 1 else default_dir()
        print(f"deduce lookup structures built in {build(target)}")
        return 0
    print("usage: python -m bot.lse.deidentify build [DIR]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
