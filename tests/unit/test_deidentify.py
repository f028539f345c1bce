"""bot/lse/deidentify.py: deduce on reduced lookup lists."""
import logging
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.lse import deidentify

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def finder():
    return deidentify.get()


def _kinds(finder, text):
    return [(span.text, span.kind) for span in finder.find(text)]


def test_names_places_and_dates(finder):
    found = _kinds(finder, "Mijn zoon Daan van den Berg woont in Amersfoort, geboren 12 maart 2007")
    assert ("Daan van den Berg", deidentify.PERSON) in found
    assert ("Amersfoort", deidentify.PLACE) in found
    assert ("12 maart 2007", deidentify.DATE) in found


def test_hospitals_only_when_capitalised(finder):
    assert ("Antonius", deidentify.INSTITUTION) in _kinds(finder, "ze werkt in ziekenhuis Antonius")
    assert _kinds(finder, "a holy race war") == []


def test_the_reduced_lists_leave_out_the_large_structures(finder):
    structures = finder._deduce.lookup_structs
    assert len(structures["street"].children) == 0
    assert len(structures["healthcare_institution"].children) == 0
    assert len(finder.streets) > 100_000  # the plain set of street names instead
    assert "kerkstraat" in finder.streets


def test_import_does_not_turn_on_debug_logging_to_stdout():
    """deduce runs logging.basicConfig(DEBUG, stdout) at import; a process that imports it
    through bot.lse.deidentify keeps a silent root logger (no visitor text in any log)."""
    code = ("import logging; from bot.lse import deidentify; deidentify.get(); "
            "root = logging.getLogger(); print(root.level, len(root.handlers))")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True, env={"PYTHONPATH": str(ROOT)})
    assert result.stdout.split() == [str(logging.WARNING), "0"]


def test_one_instance_per_process(finder):
    assert deidentify.get() is finder


def _best_of_3(function, text):
    best = float("inf")
    for _ in range(3):
        started = time.thread_time()
        function(text)
        best = min(best, time.thread_time() - started)
    return best


ADVERSARIAL = ["A'", "-A", "Aa-", "Aa ", "A ", "van ", "De ", "1 -", "0//", "Jan ", "Jan van ",
               "J. ", "dhr. ", "12 maart ", "A.B.", "é'A", "Jan Peter de ", "mijn zoon Jan ",
               "Daan Amersfoort ", "Mohammed el "]


@pytest.mark.parametrize("unit", ADVERSARIAL)
def test_deduce_as_redaction_uses_it_is_fast_on_adversarial_messages(finder, unit):
    """deduce inside redact(): 1000 characters under 20 ms (CPU, best of 3)."""
    from bot.lse import redaction
    text, _ = redaction.fold((unit * 1000)[:1000])
    assert _best_of_3(lambda t: list(redaction._deduce(t, redaction.Taken())), text) < 0.020
    assert _best_of_3(redaction.redact, text) < 0.020


def test_twenty_five_names_still_go_through_deduce(finder):
    """Just under the limit, where deduce still runs: the bounded name context keeps it fast."""
    from bot.lse import redaction
    text = ("Jan " * redaction.DEDUCE_MAX_NAME_WORDS + "en verder niets " * 60)[:1000]
    assert _best_of_3(finder.find, text) < 0.020


def test_name_context_is_bounded(finder):
    assert type(finder._deduce.processors["names"]["name_context"]).__name__ == \
        "BoundedContextAnnotator"
    found = _kinds(finder, "Mijn zoon Jan Peter de Vries en Daan van den Berg")
    assert ("Jan Peter de Vries", deidentify.PERSON) in found
    assert ("Daan van den Berg", deidentify.PERSON) in found


def test_the_lookup_structures_are_out_of_the_garbage_collectors_reach():
    """A full collection must not walk deduce's structures (it took 120-170 ms). In a fresh
    process: this one holds whatever the other tests loaded after the freeze."""
    code = ("import gc, time; from bot.lse import redaction; "
            "best = min((lambda s: (gc.collect(), time.thread_time() - s)[1])(time.thread_time()) "
            "for _ in range(3)); print(gc.get_freeze_count(), best)")
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True, env={"PYTHONPATH": str(ROOT)})
    frozen, seconds = result.stdout.split()
    assert int(frozen) > 100_000 and float(seconds) < 0.050, result.stdout
