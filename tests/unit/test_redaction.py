"""bot/lse/redaction.py: identifiers become placeholders; ordinary chat stays as it is."""
import glob
import re
import time
from pathlib import Path

import pytest

from bot.lse.message_checks import check_message
from bot.lse.redaction import KEEP, PLACEHOLDERS, find_identifiers, fold, redact

ROOT = Path(__file__).resolve().parents[2]


def _best_of_3(text: str) -> float:
    """The best of three runs, in CPU seconds of this thread: the machine is shared (other
    processes make wall-clock times of a few milliseconds meaningless), and what the check
    is about is the work redaction does, which a quadratic pattern makes grow."""
    best = float("inf")
    for _ in range(3):
        started = time.thread_time()
        redact(text)
        best = min(best, time.thread_time() - started)
    return best


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
    ("adres: Kerkstraat 12, 3511 AB Utrecht", "adres: [adres], [postcode] [plaats]"),
    ("op 12-05-2024 om 14:30", "op [datum] om 14:30"),
    ("mijn zoon Mohammed el Amrani kijkt IS-filmpjes", "mijn zoon [naam] kijkt IS-filmpjes"),
    ("mvg, Petra Jansen", "mvg, [naam]"),
    ("zijn auto heeft kenteken 12-ABC-3", "zijn auto heeft kenteken [kenteken]"),
    ("hij zit op het Stedelijk Gymnasium Leiden", "hij zit op het [school]"),
    ("1234AB12", "[postcode]"),
    ("bel me op +31 6-12 34 56 78", "bel me op [telefoonnummer]"),
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
    "in 2024 IS-filmpjes gekeken",
    "dat was in 2019 en 2020",
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
                if match and re.match(r"(intent|synonym|lookup|regex): ", match.group(1)):
                    continue  # a YAML key, not an example
                if match and redact(match.group(1)) != match.group(1):
                    changed.append((path, match.group(1)))
    assert not changed, changed[:10]


def test_long_input_is_fast():
    text = ("mijn zoon 0612345678 " * 50)[:1000]
    assert _best_of_3(text) < 0.020
    assert "0612345678" not in redact(text)


# ---- H2: the review's leak cases (fuzz_redaction.py, fuzz_redaction_more.py) --------------
# (message, a substring that must not survive). Left out, on purpose: spelled-out numbers
# ("nul zes een twee ..."), "06-twaalf34-5678", a street written in two words ("Kerk straat
# 12") and a street name that is neither in deduce's list nor shaped like one ("Zuidas 12"):
# see /work/notes/redaction.md.
LEAKS = [
    # phone numbers in odd formats
    ("bel me op +31 6-12 34 56 78", "12 34 56 78"),
    ("mijn nummer is 06.12345678", "12345678"),
    ("0031612345678 is mijn nummer", "612345678"),
    ("06 - 12 34 56 78", "12 34 56 78"),
    ("(06) 123 456 78", "123 456 78"),
    ("06-1234 5678", "1234 5678"),
    ("+316 1234 5678", "1234 5678"),
    ("+31(0)6 12345678", "12345678"),
    ("0 6 1 2 3 4 5 6 7 8", "1 2 3 4 5 6 7 8"),
    ("06_12345678", "12345678"),
    ("O6-12345678", "12345678"),
    ("０６１２３４５６７８", "１２３４５６７８"),
    ("bel 06 1234567 8", "1234567"),
    ("mijn nr: 6 12 34 56 78", "12 34 56 78"),
    ("tel 020-1234567", "1234567"),
    ("vast: 010 123 45 67", "123 45 67"),
    ("+32 470 12 34 56 (België)", "12 34 56"),
    ("+44 7700 900123", "900123"),
    ("+90 532 123 45 67 (Turkije)", "123 45 67"),
    ("06 12 34 56 7", "12 34 56 7"),
    ("06-123-456-78", "123-456-78"),
    ("+31612345678", "612345678"),
    ("31612345678", "612345678"),
    ("612345678", "612345678"),
    ("06 1234 56 78.", "1234 56 78"),
    ("mijn nummer is 6 1234 5678", "1234 5678"),
    # e-mail
    ("mail: jan.jansen @ gmail.com", "jan.jansen"),
    ("jan.jansen at gmail dot com", "jan.jansen"),
    ("jan punt jansen apenstaartje gmail punt com", "jansen"),
    ("mijn mail is jan.jansen(at)hotmail.com", "jan.jansen"),
    ("jan.jansen[at]hotmail.nl", "jan.jansen"),
    ("jan.jansen@gmail .com", "jan.jansen"),
    ("jan.jansen @gmail.com", "jan.jansen"),
    ("jan.jansen＠gmail.com", "jan.jansen"),
    ("jan\ufe6bgmail.com", "jan"),
    ("jansen@gmail", "jansen@gmail"),
    ("Sanne.de.Vries@Outlook.COM", "Sanne.de.Vries"),
    ("e-mail: piet-émile@voorbeeld.nl", "piet-émile"),
    ("gökhan.yılmaz@hotmail.com", "gökhan"),
    ("müller.jan@web.de", "müller"),
    ("ayşe.demir@gmail.com", "ayşe"),
    ("mail naar jan.jansen@gmail,com", "jan.jansen"),
    ("jan.jansen@gmailcom", "jan.jansen"),
    # IBAN / BSN
    ("NL91 ABNA 0417 1643 00", "0417 1643 00"),
    ("NL91ABNA0417164300", "0417164300"),
    ("nl91 abna 0417 1643 00", "0417 1643 00"),
    ("iban NL91-ABNA-0417-1643-00", "0417-1643-00"),
    ("rekening 417164300 abn", "417164300"),
    ("BE68 5390 0754 7034", "5390 0754 7034"),
    ("bsn 123456782", "123456782"),
    ("mijn bsn is 1234.56.782", "56.782"),
    ("burgerservicenummer: 12 34 56 782", "56 782"),
    ("sofinummer 111222333", "111222333"),
    ("BSN-nummer 123456782", "123456782"),
    ("zijn bsn: 12345678 2", "12345678"),
    ("NL91ABNA041716430", "041716430"),
    ("NL91 ABNA 417 164 300", "417 164 300"),
    ("NL 91 ABNA 0417 1643 00", "0417 1643 00"),
    ("NL91 ABNA 0417 1643 0O", "0417 1643"),
    ("bsn: 123 456 782", "456 782"),
    ("bsn 123-45-6782", "6782"),
    ("BSN 12345678", "12345678"),
    # names
    ("mijn zoon Mohammed el Amrani kijkt IS-filmpjes", "Mohammed"),
    ("mijn zoon Mohammed el Amrani kijkt IS-filmpjes", "Amrani"),
    ("mijn dochter heet Fatima Yilmaz", "Fatima"),
    ("mijn dochter heet Fatima Yilmaz", "Yilmaz"),
    ("ik ben Jan de Vries", "Jan de Vries"),
    ("mijn broer Kevin (17) zit op het Erasmus College", "Kevin"),
    ("mijn broer Kevin (17) zit op het Erasmus College", "Erasmus"),
    ("mijn neef Daan van den Berg praat over de Islamitische Staat", "Daan van den Berg"),
    ("mvg, Petra Jansen", "Petra Jansen"),
    ("Groetjes Sven", "Sven"),
    ("zijn vader Hassan werkt bij de gemeente Gouda", "Hassan"),
    ("mijn naam is Ahmed", "Ahmed"),
    ("ik heet Sanne", "Sanne"),
    ("mijn zoon Gökhan zit op telegram", "Gökhan"),
    ("mijn buurjongen Oleksandr praat over Rusland", "Oleksandr"),
    # addresses
    ("hij woont op Kerkstraat 12 in Utrecht", "Kerkstraat 12"),
    ("hij woont op Kerkstraat 12 in Utrecht", "Utrecht"),
    ("Kerkstraat 12a", "Kerkstraat 12"),
    ("Kerkstraat nr 12", "Kerkstraat nr 12"),
    ("Kerkstraat nummer 12", "nummer 12"),
    ("Lange Nieuwstraat 12-bis", "Nieuwstraat 12"),
    ("Burgemeester de Withstraat 5", "Withstraat 5"),
    ("Oudegracht 231", "Oudegracht 231"),
    ("Laan van Meerdervoort 112", "Meerdervoort 112"),
    ("Plein 1944 nr 3", "1944"),
    ("Rijksstraatweg 45, 3545 NB Utrecht", "3545 NB"),
    ("Stationsweg 3 3811 BD Amersfoort", "3811 BD"),
    ("3811bd", "3811bd"),
    ("postcode 3811 bd huisnummer 3", "3811 bd"),
    ("Hoofdstraat twaalf", "Hoofdstraat twaalf"),
    ("Dorpsstraat 12", "Dorpsstraat 12"),
    ("Straatweg 1", "Straatweg 1"),
    ("Ä-straat 1", "1"),
    ("Çelikstraat 12", "Çelikstraat 12"),
    ("Łódźstraat 12", "Łódźstraat 12"),
    ("Rue de la Loi 16", "Rue de la Loi 16"),
    ("Wilhelminapark 3", "Wilhelminapark 3"),
    ("De Dam 1", "Dam 1"),
    ("Marktstraat 12 III", "12 III"),
    ("Kerkstr. 12", "12"),
    ("Kerkstr 12", "Kerkstr 12"),
    ("Stationspl. 3", "Stationspl. 3"),
    ("12 Kerkstraat", "12 Kerkstraat"),
    ("Kerkstraat 1 hoog", "Kerkstraat"),
    ("Kerkstraat12", "Kerkstraat12"),
    ("Kerkstraat, 12", "Kerkstraat, 12"),
    ("hij woont in de Kerkstraat op nummer 12", "nummer 12"),
    ("hij woont in de Kerkstraat op nummer 12", "Kerkstraat"),
    ("Van Goghstraat 12", "Goghstraat 12"),
    ("2e Hugo de Grootstraat 5", "Grootstraat 5"),
    ("Kon. Julianalaan 12", "Julianalaan 12"),
    ("1234AB12", "1234AB"),
    ("1234 ab 12", "1234 ab"),
    ("1234 AB", "1234 AB"),
    ("1234ab", "1234ab"),
    # plates, dates of birth, handles, schools, other numbers
    ("zijn auto heeft kenteken 12-ABC-3", "12-ABC-3"),
    ("kenteken GH-123-X", "GH-123-X"),
    ("kenteken 1-KBB-00", "1-KBB-00"),
    ("een witte auto, 12-abc-3", "12-abc-3"),
    ("kenteken 12 ABC 3", "ABC"),
    ("geboren op 12-03-2007", "12-03-2007"),
    ("geboortedatum 12 maart 2007", "12 maart 2007"),
    ("hij is geboren 2007-03-12", "2007-03-12"),
    ("geb. 01-02-2008", "01-02-2008"),
    ("hij is geboren op 3 mei", "3 mei"),
    ("op insta heet hij @mo_ahmed07", "mo_ahmed07"),
    ("zijn insta is mo_ahmed07", "mo_ahmed07"),
    ("TikTok: @mo.ahmed", "mo.ahmed"),
    ("snap: mo_ahmed", "mo_ahmed"),
    ("telegram t.me/mo_ahmed", "mo_ahmed"),
    ("instagram.com/mo_ahmed07", "mo_ahmed07"),
    ("tiktok.com/@mo.ahmed", "mo.ahmed"),
    ("discord mo#1234", "mo#1234"),
    ("@ mo_ahmed", "mo_ahmed"),
    ("insta: @mo", "mo"),
    ("@m", "@m"),
    ("sc: mo.ahmed07", "mo.ahmed07"),
    ("hij zit op het Stedelijk Gymnasium Leiden", "Stedelijk Gymnasium Leiden"),
    ("hij zit op OBS De Regenboog in Zwolle", "Regenboog"),
    ("hij zit op OBS De Regenboog in Zwolle", "Zwolle"),
    ("ze werkt bij Albert Heijn Kerkstraat", "Kerkstraat"),
    ("IP: 192.168.1.10", "192.168.1.10"),
    ("ipv6 2001:db8::1", "2001:db8::1"),
    ("ipv6 fe80::1ff:fe23:4567:890a", "fe23:4567"),
    ("paspoort NW1K2L3M4", "NW1K2L3M4"),
    ("paspoortnummer NWR6L0TX3", "NWR6L0TX3"),
    ("rijbewijsnummer 5012345678", "5012345678"),
    ("klantnummer 12345678", "12345678"),
    ("mijn zaaknummer bij de politie is 2024-123456", "123456"),
    ("PL0900-2024123456", "2024123456"),
    ("wachtwoord is Geheim123!", "Geheim123!"),
    ("https://www.facebook.com/jan.jansen.5", "jan.jansen"),
    ("facebook.com/jan.jansen.5", "jan.jansen"),
    ("linkedin.com/in/jan-jansen", "jan-jansen"),
    ("youtube.com/@jihadi", "jihadi"),
    ("wa.me/31612345678", "31612345678"),
]


@pytest.mark.parametrize("message, secret", LEAKS)
def test_the_identifier_does_not_survive(message, secret):
    assert secret not in redact(message)


# ---- L4: an invisible or look-alike character inside an identifier (probe_message_checks.py) --
INVISIBLE_LEAKS = [
    ("06\u200b12345678", "12345678"),
    ("06\u200d12345678", "12345678"),
    ("jan\u200d@gmail.com", "jan"),
    ("NL91\u200dABNA0417164300", "0417164300"),
    ("Kerk\u200dstraat 12", "straat 12"),
    ("06\u034f12345678", "12345678"),
    ("06\u316412345678", "12345678"),
    ("06\u280012345678", "12345678"),
    ("06\u115f12345678", "12345678"),
    ("06\u116012345678", "12345678"),
    ("06\u2060123\u00ad45678", "45678"),
    ("Moham\u200dmed el Amrani is mijn zoon", "Amrani"),
    ("mijn zoon Da\u200can", "an"),
    ("٠٦١٢٣٤٥٦٧٨", "٥٦٧٨"),
    ("०६१२३४५६७८", "५६७८"),
    ("𝟎𝟔𝟏𝟐𝟑𝟒𝟓𝟔𝟕𝟖", "𝟓𝟔𝟕𝟖"),
    ("⁰⁶¹²³⁴⁵⁶⁷⁸", "⁵⁶⁷⁸"),
    ("⓪⑥①②③④⑤⑥⑦⑧", "⑤⑥⑦⑧"),
    ("jan\uff20gmail.com", "jan"),
    ("jan\ufe6bgmail.com", "jan"),
    ("bsn １２３４５６７８２", "５６７８２"),
]


@pytest.mark.parametrize("message, secret", INVISIBLE_LEAKS)
def test_an_invisible_or_compatibility_character_does_not_hide_an_identifier(message, secret):
    assert secret not in redact(message)
    checked = check_message(message, 1000)  # the channels' order: check, then redact
    assert secret not in redact(checked.text)


def test_folding_maps_every_character_back():
    text = "a\u200bb＠c\u3164d"
    folded, origin = fold(text)
    assert folded == "ab@cd"
    assert [text[i] for i in origin] == ["a", "b", "＠", "c", "d"]


# ---- What the assistant needs to understand is never redacted ---------------------------------
KEPT = [
    ("mijn zoon [naam] kijkt IS-filmpjes", ["zoon", "IS-filmpjes"]),
    ("mijn zoon Daan kijkt IS-filmpjes op TikTok", ["zoon", "IS-filmpjes", "TikTok"]),
    ("mijn dochter is lid van een Telegram-groep over ISIS", ["dochter", "Telegram", "ISIS"]),
    ("Mijn leerling praat over jihad en wil naar Syrië", ["leerling", "jihad", "Syrië"]),
    ("mijn cliënt zegt dat Allah dit wil en leest de Koran de hele dag", ["cliënt", "Allah", "Koran"]),
    ("hij gaat elke dag naar de moskee", ["moskee"]),
    ("Mijn broer wil naar Irak of Afghanistan", ["broer", "Irak", "Afghanistan"]),
    ("mijn neef wil naar Oekraïne om te vechten", ["neef", "Oekraïne", "vechten"]),
    ("Hij is fan van Hitler en de nazi's", ["Hitler", "nazi's"]),
    ("Mijn vader zit bij de Soevereinen en erkent de staat niet", ["vader", "Soevereinen"]),
    ("ze kijkt filmpjes van Hamas en Hezbollah op YouTube", ["Hamas", "Hezbollah", "YouTube"]),
    ("Mijn zoon volgt Discord servers van neonazi's", ["zoon", "Discord", "neonazi's"]),
    ("Is het strafbaar als mijn zoon IS-filmpjes kijkt?", ["strafbaar", "zoon", "IS-filmpjes"]),
    ("Mijn man is moslim geworden en wil naar Syrie", ["man", "moslim", "Syrie"]),
    ("Ik ben docent en een leerling dreigt met geweld", ["docent", "leerling", "geweld"]),
    ("Ik ben jongerenwerker in Rotterdam", ["jongerenwerker"]),
    ("Wil je me helpen met mijn zoon?", ["Wil", "zoon"]),
    ("Kan ik jullie bellen of mailen?", ["Kan", "bellen", "mailen"]),
    ("mijn zoon van 17 zit op de havo en wil naar Syrië", ["zoon", "17", "havo", "Syrië"]),
]


@pytest.mark.parametrize("message, words", KEPT)
def test_the_words_the_assistant_needs_survive(message, words):
    result = redact(message)
    for word in words:
        assert word in result, result


def test_placeholders_are_words_the_nlu_reads():
    assert redact("mijn zoon Mohammed kijkt IS-filmpjes") == "mijn zoon [naam] kijkt IS-filmpjes"
    assert all(re.fullmatch(r"\[[a-z-]+\]", placeholder) for placeholder in PLACEHOLDERS)
    assert {"syrië", "irak", "afghanistan", "oekraïne", "allah", "koran", "telegram", "tiktok",
            "isis", "jihad", "nazi", "soevereinen", "zoon", "dochter", "leerling", "cliënt"} <= KEEP


# ---- M4: linear time on adversarial 1000-character messages (redos_*.py) ---------------------
UNITS = ["a-", "A'", "é'", "aa-", "1 ", "a@", "a.", "0-", "1.", "-A", "A.", "(1 ", "1/", "0//",
         "1.1", "Aa-", "é'A", "#'A", "A(", "1 -", "a@b.", "a at ", "punt ", "Kerkstraat 1 ",
         "1234 AB ", "zoon A ", "heet ", "insta ", "@a", "NL12", "06 ", "+31 ", "A ", "Aa ",
         "a_", "0:@", ":##", "12-AB-", "straat ", "'-", "bsn ", "www.", "a:", "De ", "van "]


@pytest.mark.parametrize("unit", UNITS)
def test_adversarial_messages_are_redacted_in_linear_time(unit):
    text = (unit * 1000)[:1000]
    assert _best_of_3(text) < 0.020, unit


def test_the_review_inputs_are_fast():
    """The inputs of redos_redaction.py."""
    n = 1000
    inputs = ["1" * n, " ".join("1" * (n // 2)), ".".join("1" * (n // 2)), "1--" * (n // 3),
              ("06" + " 1" * 9 + " ") * (n // 21), "0  " * (n // 3), "a." * (n // 2),
              "a" * (n - 10) + "@" + "a" * 9, "a@" + "a." * ((n - 2) // 2),
              "a@" + "a-" * ((n - 2) // 2), "a " * (n // 2), "a@" * (n // 2), "!." * (n // 2),
              "www." + "a" * (n - 4), "a-" * (n // 2 - 1) + ".nl", "NL12" + "A " * ((n - 4) // 2),
              "AB12" * (n // 4), ("AB12" + "1-" * 15 + " ") * (n // 35), "bsn " * (n // 4),
              "bsn" + " nr" * ((n - 3) // 3), "a" * (n - 10) + "straat 1", "straat " * (n // 7),
              "straatstraat" * (n // 12), "'-" * (n // 2), "1234 " * (n // 5), "1234 AB " * (n // 8),
              "12, " * (n // 4), "1234AB 12a-12 " * (n // 14), "@" + "a." * ((n - 1) // 2),
              "@a" * (n // 2), "1." * (n // 2), "1 " * (n // 2), "😀" * n, "\u00a01" * (n // 2),
              ("Kerkstraat 12, 1234 AB nr 12 06-12345678 a@b.nl NL91ABNA0417164300 " * 20)[:n]]
    slow = [(text[:20], _best_of_3(text[:n])) for text in inputs]
    assert all(seconds < 0.020 for _, seconds in slow), [s for s in slow if s[1] >= 0.020]


def test_a_second_pass_changes_nothing_on_the_development_set():
    """The staff inbox redacts stored (already redacted) text again: that must be a no-op."""
    import yaml
    with open(ROOT / "tests" / "privacy" / "dev.yml", encoding="utf-8") as handle:
        messages = [message["text"] for message in yaml.safe_load(handle)["messages"]]
    assert len(messages) >= 150
    changed = [once for once in map(redact, messages) if redact(once) != once]
    assert not changed, changed[:3]
