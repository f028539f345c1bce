"""bot/lse/redaction.py: identifiers become placeholders; ordinary chat stays as it is."""
import glob
import re
from pathlib import Path

import pytest

from bot.lse.redaction import PLACEHOLDERS, find_identifiers, redact

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, expected", [
    ("mail me op jan.jansen@example.nl", "mail me op [e-mailadres]"),
    ("J.de-Vries+lse@sub.example.co.uk graag", "[e-mailadres] graag"),
    ("bel 06-12345678 aub", "bel [telefoonnummer] aub"),
    ("0612345678", "[telefoonnummer]"),
    ("06 12 34 56 78", "[telefoonnummer]"),
    ("+31612345678 of 0031 6 1234 5678", "[telefoonnummer] of [telefoonnummer]"),
    ("vast: 020 123 4567 of (020) 1234567", "vast: [telefoonnummer] of [telefoonnummer]"),
    ("UK +44 7911 123456, VS +1 415 555 2671", "UK [telefoonnummer], VS [telefoonnummer]"),
    ("06-1234567 (een cijfer te weinig)", "[telefoonnummer] (een cijfer te weinig)"),
    ("mijn bsn is 111222333", "mijn bsn is [bsn]"),
    ("burgerservicenummer 123.456.782", "burgerservicenummer [bsn]"),
    ("BSN: 12345678", "BSN: [bsn]"),
    ("iban NL91ABNA0417164300", "iban [iban]"),
    ("NL91 ABNA 0417 1643 00 graag", "[iban] graag"),
    ("NL12ABNA0123456789 (typfout in het controlegetal)", "[iban] (typfout in het controlegetal)"),
    ("DE89 3704 0044 0532 0130 00", "[iban]"),
    ("GB82WEST12345698765432", "[iban]"),
    ("we wonen op 1234 AB 12 in utrecht", "we wonen op [postcode] in utrecht"),
    ("postcode 1234ab huisnummer 5", "postcode [postcode]"),
    ("3511 EN 4", "[postcode]"),
    ("1234 ab 7", "[postcode]"),
    ("adres: Kerkstraat 12, 3511 AB Utrecht", "adres: [adres], [postcode] Utrecht"),
    ("Damstraat 1a", "[adres]"),
    ("hij volgt @extremist_nl op tiktok", "hij volgt [gebruikersnaam] op tiktok"),
    ("kijk https://t.me/somegroup", "kijk [link]"),
    ("www.facebook.com/jan.jansen", "[link]"),
    ("ip 192.168.1.20", "ip [ip-adres]"),
    ("klantnummer 9876543210123", "klantnummer [nummer]"),
])
def test_identifiers_become_placeholders(text, expected):
    assert redact(text) == expected


@pytest.mark.parametrize("text", [
    "mijn zoon van 17 kijkt IS-filmpjes",
    "in 2024 is hij vertrokken",
    "sinds 2024 IS-filmpjes",
    "dat was in 2019 en 2020",
    "op 12-05-2024 om 14:30",
    "tussen 9.00 en 17.00",
    "2 kinderen van 12 en 14",
    "hij heeft 1000 euro gestuurd",
    "zit op havo 4 in klas 4B",
    "bel 112",
    "Korte vraag over een casus",
    "ik werk bij de politie afdeling 3 kamer 12",
    "100%",
    "",
])
def test_ordinary_text_is_left_alone(text):
    assert redact(text) == text


def test_placeholders_survive_a_second_pass():
    once = redact("bel 06-12345678 of mail a@b.nl, bsn 111222333, NL91ABNA0417164300")
    assert redact(once) == once
    assert all(found.placeholder in PLACEHOLDERS for found in find_identifiers(
        "bel 06-12345678 of mail a@b.nl"))


def test_the_training_data_is_not_changed():
    """The NLU's own examples contain no identifiers: redaction changes none of them."""
    changed = []
    paths = sorted(glob.glob(str(ROOT / "bot/data/nlu/*.yml"))) + [str(ROOT / "tests/nlu/heldout.yml")]
    assert len(paths) > 2
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for line in handle:
                match = re.match(r"\s*- (.*)", line)
                if match and redact(match.group(1)) != match.group(1):
                    changed.append((path, match.group(1)))
    assert not changed, changed[:10]


def test_long_input_is_fast():
    import time
    text = ("mijn zoon 0612345678 " * 50)[:1000]
    started = time.perf_counter()
    result = redact(text)
    assert time.perf_counter() - started < 1.0
    assert "0612345678" not in result
