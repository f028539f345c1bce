"""Who is writing, and whose situation is it? Role cues in a message. No Rasa.

The intent classifier learns roles from examples; it generalises badly to jobs and relations
it never saw ("ik ben apotheker", "mijn pleegdochter"). These cues come from closed word
classes instead, so they hold for any job:
- relation: a possessive with a relation word ("mijn (oudste) zoon", "onze pleegdochter",
  "my best friend", "mn buurman"): the writer's own relative or someone close;
- work: someone met through work ("mijn leerling", "een cliënt van mij", "a customer"),
  or the writer's job ("ik werk als ...", "ik ben werkzaam bij", "as a teacher",
  "vanuit mijn werk");
- self: the writer's own involvement ("ik zit in een groep", "ik wil eruit", "I joined").

`decide_role` turns them into a role, following the triage rules of the service:
own involvement decides first (also when the writer mentions their family or a
probation officer); then a relative decides over a job ("ik werk zelf bij de gemeente,
maar dit gaat over mijn broer"); then work. No cue at all: None (the classifier keeps
its answer, or a weak guess becomes a question).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

FAMILY = "family"
PROFESSIONAL = "professional"
INDIVIDUAL = "individual"

_RELATIONS = (
    # Dutch
    "zoon", "zoontje", "dochter", "dochtertje", "kind", "kinderen", "kids", "jongen", "meisje",
    "broer", "broertje", "broers", "zus", "zusje", "zussen", "zuster", "vader", "moeder", "pa",
    "ma", "papa", "mama", "ouders", "man", "vrouw", "echtgenoot", "echtgenote", "partner",
    "vriend", "vriendin", "vriendje", "vriendinnetje", "beste", "neef", "neefje", "nicht",
    "nichtje", "oom", "tante", "opa", "oma", "grootvader", "grootmoeder", "kleinzoon",
    "kleindochter", "kleinkind", "kleinkinderen", "schoonzoon", "schoondochter", "schoonvader",
    "schoonmoeder", "schoonzus", "schoonbroer", "zwager", "schoonouders", "stiefzoon",
    "stiefdochter", "stiefvader", "stiefmoeder", "stiefkind", "stiefbroer", "stiefzus",
    "pleegzoon", "pleegdochter", "pleegkind", "pleegbroer", "pleegzus", "halfbroer", "halfzus",
    "tweelingbroer", "tweelingzus", "tweeling", "ex", "exman", "exvrouw", "ex-man", "ex-vrouw",
    "expartner", "buurman", "buurvrouw", "buurjongen", "buurmeisje", "buren", "huisgenoot",
    "huisgenote", "peetzoon", "peetdochter", "petekind", "peetkind", "verloofde", "lief",
    "gezin", "familie", "familielid", "schoonfamilie", "achterneef", "achternicht", "jongste",
    "oudste", "middelste", "vriendengroep", "maat", "maatje", "klasgenoot", "klasgenote",
    # English
    "son", "daughter", "child", "children", "kid", "boy", "girl", "brother", "sister",
    "father", "mother", "dad", "mum", "mom", "parents", "husband", "wife", "boyfriend",
    "girlfriend", "friend", "best", "nephew", "niece", "cousin", "uncle", "aunt", "grandson",
    "granddaughter", "grandchild", "grandfather", "grandmother", "grandpa", "grandma",
    "stepson", "stepdaughter", "stepfather", "stepmother", "stepbrother", "stepsister",
    "foster", "brother-in-law", "sister-in-law", "son-in-law", "daughter-in-law", "in-laws",
    "fiance", "fiancee", "neighbour", "neighbor", "flatmate", "roommate", "housemate",
    "godson", "goddaughter", "twin", "family", "youngest", "eldest", "oldest", "mate",
)
# Words for what relative the writer is ("pleegmoeder hier", "ik ben de oom", "as his aunt"):
# kin by blood, marriage, foster care or godparenthood, with their prefixes.
_KIN_PATTERNS = (
    r"(?:pleeg|stief|schoon|groot|peet|netwerkpleeg|over|bonus)?(?:moeder|vader|ouders?|mama|papa)",
    r"(?:pleeg|stief|schoon|peet|half|over)?(?:oom|tante|opa|oma|broer|zus)",
    r"(?:achter)?(?:neef|nicht)", r"peetoom|peettante",
    r"(?:foster|step|grand|god|adoptive)?(?:mother|father|parents?|mum|mom|dad|aunt|uncle)",
    r"(?:foster|step|god)?(?:brother|sister)|cousin|grandma|grandpa|grandparents?",
)
_POSSESSIVES = ("mijn", "mn", "m'n", "onze", "ons", "my", "our")
# Words that may stand between a possessive and a relation ("mijn 16-jarige zoon").
_BETWEEN = (r"(?:\d+|\S*jarige?|\d+yo|oudste|jongste|middelste|lieve|eigen|beste|oude|"
            r"kleine|grote|enige|tiener|volwassen|jonge|adult|teenage|teenaged|older|younger|"
            r"little|big|eldest|youngest|dear|own|best|year|old|half|ex)")
# People met through work, and words that say the writer writes from their job.
_WORK_PEOPLE = (
    "leerling", "leerlingen", "student", "studenten", "scholier", "scholieren", "cursist",
    "client", "clienten", "clienten", "patient", "patienten", "bewoner", "bewoners",
    "gedetineerde", "gedetineerden", "justitiabele", "verdachte", "huurder", "huurders",
    "deelnemer", "deelnemers", "pupil", "pupillen", "jeugdige", "jongere", "jongeren",
    "klant", "klanten", "medewerker", "medewerkers", "werknemer", "werknemers", "stagiair",
    "lid", "leden", "spelers", "speler", "kandidaat", "caseload", "casus", "dossier",
    "pupils", "students", "clients", "patients", "residents", "resident", "inmate",
    "inmates", "prisoner", "prisoners", "tenant", "tenants", "customer", "customers",
    "employee", "employees", "staff member", "participant", "participants", "trainee",
    "member", "members", "players", "caseworker", "case",
)
_WORK_PHRASES = re.compile(
    r" (?:ik werk (?:als|bij|in|op|voor)|ik ben werkzaam|werkzaam (?:als|bij|in)|in mijn werk|"
    r"vanuit mijn werk|voor mijn werk|op mijn werk|op het werk|via mijn werk|beroepsmatig|"
    r"mijn beroep|mijn functie|in mijn functie|mijn praktijk|mijn klas|onze school|op school waar|"
    r"onze organisatie|onze instelling|ons team|mijn team|wij als (?:school|team|gemeente|organisatie)|"
    r"collegas|collega s|als (?:docent|leraar|leerkracht|mentor|agent|wijkagent|huisarts|arts|"
    r"verpleegkundige|jongerenwerker|hulpverlener|trainer|coach|begeleider|consulent|"
    r"medewerker|ambtenaar|professional|manager|directeur|leidinggevende|werkgever)|"
    r"(?:ik heb|heb|wij hebben|we hebben|i run|i own|we run|we own) (?:een|a|an) (?:\S+ )?\S*(?:shop|winkel|"
    r"zaak|bedrijf|praktijk|salon|escaperoom|sportschool|restaurant|cafe|kapsalon|garage|business|"
    r"company|store|studio|kinderopvang|bureau)(?= )|"
    r"i serve as|i supervise|ik rijd? (?:\S+ )?(?:lijnbus|bus|tram|taxi|metro|trein)|"
    r"i work (?:as|at|in|for|with)|at work|at my work|in my job|my job|my work|my class|"
    r"our school|our organisation|our organization|our team|my team|my colleagues|"
    r"as an? (?:teacher|officer|police officer|doctor|nurse|youth worker|social worker|coach|"
    r"trainer|manager|counsellor|counselor|librarian|pharmacist|driver)|professionally|"
    r"ik ben (?:docent|leraar|leerkracht|mentor|wijkagent|agent|huisarts|jongerenwerker|"
    r"maatschappelijk werker|reclasseringswerker|jeugdbeschermer|apotheker|bibliothecaris|"
    r"buschauffeur|trainer|coach|imam|predikant|dominee|leidinggevende|hr|bedrijfsarts|"
    r"verpleegkundige|begeleider|ambtenaar|consulent|docente|lerares)|"
    r"i am an? (?:teacher|police officer|officer|doctor|gp|nurse|youth worker|social worker|"
    r"probation officer|coach|trainer|librarian|pharmacist|bus driver|imam|manager)|"
    r"im an? (?:teacher|police officer|officer|doctor|gp|nurse|youth worker|social worker|"
    r"probation officer|coach|trainer|librarian|pharmacist|bus driver|imam|manager))(?= )")
_SELF = re.compile(
    r" (?:ik (?:zit|zat) (?:zelf )?(?:al )?(?:\S+ ){0,2}in (?:een|de|die|deze|zon|zo n) "
    r"(?:\S+ )?(?:groep|netwerk|beweging|organisatie|chat|appgroep|groepsapp|telegramgroep|"
    r"scene|cel|sekte|kring|club|gemeenschap|broederschap)|"
    r"ik ben (?:zelf )?(?:lid|ex lid|exlid|oud lid)|ik was (?:zelf )?(?:lid|actief)|"
    r"ik wil (?:er )?(?:uit|eruit|weg uit|stoppen met|los van)|ik wil uit de|"
    r"ik twijfel aan mijn|mijn eigen (?:ideeen|denkbeelden|gedachten|overtuiging|standpunten)|"
    r"ik radicaliseer|ik ben (?:aan het )?radicaliseren|ik ben geradicaliseerd|"
    r"ik ben teruggekomen|ik ben terug uit|ik ben teruggekeerd|ik ben veroordeeld|"
    r"ik heb vastgezeten|ik kom net uit de gevangenis|ik ben uit de groep|"
    r"ik ben gestopt met de|ik voel me aangetrokken|het gaat (?:over|om) (?:mij|mezelf|mijzelf)|"
    r"het gaat over mij |over mezelf|over mijzelf|voor mezelf|voor mijzelf|"
    r"i (?:am|m) (?:in|part of|a member of) (?:a|an|the|this) |i was (?:in|part of) (?:a|an|the)|"
    r"i joined|i want (?:to get )?out|i want to leave (?:the|this|my) |i left (?:the|a|my) |"
    r"my own (?:views|ideas|beliefs|thoughts)|i am radicali|im radicali|"
    r"i came back from|i returned from|i was convicted|about myself|for myself|about me |"
    r"mijn verleden in|mn verleden in|my past in|over mij (?:zelf )?(?:gebeld|verteld)|"
    r"ik heb me aangesloten|ik heb mij aangesloten|heb me aangesloten bij|me aangesloten bij|ik was (?:vroeger )?actief|ik zat (?:bij|in) |"
    r"ik ben uit (?:een|de|die|het) (?:\S+ ){0,2}gestapt|ik ben (?:net )?vrij na|"
    r"ik ben er uit|ik ben eruit|ik denk dat ik (?:zelf )?radicalis|"
    r"sinds ik bij (?:de|die|een|het|hun) (?!(?:politie|gemeente|school|jeugdzorg|reclassering|"
    r"defensie|marechaussee|zaak|bank|ggz|brandweer|zorg|kerk|moskee)\b)(?:\S+ ){1,3}(?:zit|ben|hoor|kom)|"
    r"ik (?:zat|zit) in (?:\S+ ){0,2}\S*(?:groepen|groepsapps|kanalen|chats)(?= )|"
    r"ik (?:(?!mijn |mn |onze |ons |zijn |haar |hem |hun )\S+ ){0,6}uit (?:de|die|deze|het|mijn) (?:\S+ )?(?:beweging|groep|netwerk|scene) (?:te )?(?:stappen|komen)|"
    r"(?:wat|dat|die|iets) ik online (?:heb |had |hebt )?(?:zette|gezet|postte|gepost|plaatste|geplaatst|deelde|gedeeld)|"
    r"(?:what|stuff|things) i (?:posted|shared|said) online|"
    r"i got (?:really |so |pretty |very |deep |deeply )+into|"
    r"i got into (?:\S+ ){0,2}(?:channels|groups|forums|conspirac\S*|the scene|that scene|ideas|ideology)(?= )|"
    r"(?:i ve|ive|i have) been (?:on|in) (?:\S+ ){0,2}(?:forums?|channels?|boards?|chans?|pol|discord|telegram)|"
    r"been on pol|"
    r"(?:i ve|ive|i have) been (?:part of|a member of) (?:a|an|the|this|that|my|some)(?= )|"
    r"(?:i ve|ive|i have) been in (?:a|an|this|that|some) (?:\S+ )?(?:group|movement|network|scene|cult|"
    r"forum|chat|server|community)(?= )|"
    r"ik (?:zit|zat|train|trainde|ga|ging|kom|kwam|hoor|hoorde|woon|woonde|leef|leefde) "
    r"(?:(?!mijn |mn |onze |ons |zijn |haar |hem |hun |dat |wat |of |als )\S+ ){0,4}(?:bij|in) "
    r"(?:een|de|die|deze|zon|onze) (?:\S+ )?(?:(?!(?:werk|project|doel|leeftijds|ouder|intervisie|klas|"
    r"stuur|vak|beroeps|zelfhulp|steun|lotgenoten|sport|voetbal|buurt|wijk|app)\S*)\S*(?:groep|netwerk|"
    r"beweging|sekte|broederschap|scene)|\S+kring|active club|fight club)(?= )|"
    r"(?:ik )?ben er (?:al |nu |sinds )?(?:\d+ |een paar |twee |drie |vier |vijf )?(?:jaar |maanden |"
    r"weken |jaren )?uit(?= )|"
    r"(?:ik heb|ik ben|^ ben|^ heb) (?:\S+ ){0,3}(?:jaren|jaar|lang|tijd) in (?:de|het|een|die) "
    r"(?:\S+ ){1,2}(?:gezeten|meegedaan|geweest)(?= )|"
    r"ik ben (?:in \d{4} )?(?:\S+ ){0,2}naar (?:syrie|irak|het kalifaat|de kampen) "
    r"(?:gegaan|gereisd|vertrokken)|sinds ik terug ben|terug uit de kampen|"
    r"(?:ze|zij|mannen|jongens|mensen|leden|de groep) (?:\S+ ){0,3}(?:vragen|vraagt|willen) (?:me|mij) "
    r"(?:steeds |al |vaak )?(?:om )?mee te doen|"
    r"(?:die|ze|zij) (?:me|mij) (?:steeds |al |vaak )?(?:vragen|vraagt) (?:om )?(?:mee te doen|lid te worden)|"
    r"wat ik online (?:zeg|schrijf|post|deel)|"
    r"(?:i am|im|i call myself|ik noem mezelf|ik ben|ben) (?:(?!geen |niet |not |no |never |nooit )\S+ )?"
    r"(?:blackpilled|redpilled|blackpill|redpill|incel|soeverein|sovereign|soevereine)(?= )|"
    r"on an ankle monitor|ik (?:zit |loop )?(?:nu )?met een enkelband|ik heb een enkelband|"
    r"ik ben (?:(?!met |mijn |mn |onze |zijn |haar )\S+ ){0,3}(?:meegegaan|meegezogen|ingezogen) in|"
    r"ik ben erin (?:gerold|beland|geluisd|gezogen)|"
    r"i (?:got|was) (?:sucked|pulled|drawn) into|i fell into|"
    # "ik ben zelf lid", not "ik ben zelf docent, maar het gaat om mijn neefje":
    r"ik ben zelf (?:ook )?(?:degene|diegene|lid|betrokken|in|bij|geradicaliseerd)|"
    r"i used to be (?:in|part of|a member)|i (?:am|m) out now|i got out|i (?:have been|ve been) "
    r"(?:posting|in)|i think i (?:am|m) radicali|i joined|"
    # The writer's own probation officer, caseworker or lawyer: the writer is the client.
    r"(?:mijn|mn) (?:\S+ ){0,3}(?:reclasseringswerker|reclasseringsmedewerker|reclassering|"
    r"casemanager|advocaat|enkelband|begeleider van de reclassering|jeugdreclassering)|"
    r"my (?:probation officer|parole officer|caseworker|case worker|lawyer|ankle monitor))(?= )")
# "wijkagent hier, ...", "apotheek hier", "teacher here": a job first, then the message.
_JOB_HERE = re.compile(
    r"^ (?!(?:is|ben|zijn|wie|wat|hoi|hallo|hey|hi|hello|iemand|anyone|someone|ik|i) )"
    r"(?!(?:\S+ )?(?:%s) (?:hier|here) )"
    r"(?:\S+ ){1,2}(?:hier|here)(?= )" % "|".join(_KIN_PATTERNS))


# Job words by their ending, so that jobs nobody listed still count ("leerplichtambtenaar",
# "sportschoolhouder", "woonbegeleider"); used after "ik ben", "als", or first in a message.
_JOB_WORD = (r"\S*(?:arts|ambtenaar|werker|medewerker|begeleider|coach|trainer|docent|agent|"
             r"verpleegkundige|consulent|coordinator|leider|adviseur|houder|chauffeur|bestuurder|"
             r"instructeur|therapeut|psycholoog|psychiater|kundige|officier|bewaarder|beveiliger|"
             r"manager|directeur|hulpverlener|jurist|rechercheur|handhaver|leerkracht|leraar|"
             r"lerares|mentor|decaan|onderzoeker|journalist|apotheker|kapper|kapster|"
             r"bibliothecaris|imam|predikant|dominee|pastor|conducteur|voogd|mentor|opbouwwerker|"
             r"ondernemer|eigenaar|assistent|assistente|zoco|zorgco|officer|teacher|worker|counsellor|counselor|nurse|doctor|"
             r"librarian|pharmacist|driver|manager|coach|trainer|researcher|lecturer|supervisor|"
             r"chaplain|volunteer|vrijwilliger|boa|gp|hr|guardian|caretaker|conciërge|concierge)")
_RELATION_WORDS = "|".join(map(re.escape, _RELATIONS))
_JOB = re.compile(
    r"^ (?:(?!(?:mijn|mn|onze|ons|de|het|een|zijn|haar|my|our|the|a|his|her|ik|i|beste|geachte|lieve|"
    r"hallo|hoi|hey|hi|hello|dear|dag|goedemorgen|goedemiddag|goedenavond) )\S+ )?%s (?!(?:is|was|en|and)\b)|"                      # "bedrijfsarts. werknemer met ..."
    r" ik ben (?:een |de |hier )?(?:\S+ )?%s(?= )|"          # "ik ben (school)apotheker"
    r" (?:i am|im) (?:an? |the )?(?:\S+ )?%s(?= )|"
    r" als (?:\S+ )?%s(?= )|"                               # "als beleidsmedewerker zoek ik"
    r" as an? (?:\S+ )?%s(?= )|"
    r" (?:wij|we) zijn (?:een|de|het|van de|van het|van een) (?!(?:gezin|familie|family|"
    r"ouders|stel)\b)\S+|"                                 # "wij zijn een woningcorporatie"
    r" (?:we are|we re|were) (?:a|an|the) (?!(?:family|couple)\b)\S+ (?:organisation|"
    r"organization|school|team|charity|foundation|company|centre|center|municipality|club)"
    % ((_JOB_WORD,) * 5))
# Whose situation it is, said in so many words: this beats everything but own involvement.
_ABOUT_RELATIVE = re.compile(
    r" (?:het )?(?:gaat|ging) (?:het )?(?:over|om) (?:mijn|mn|onze|ons) (?:%s )?(?:%s)(?= )|"
    r" (?:it is|its|it s|this is) (?:about|regarding) (?:my|our) (?:\S+ )?(?:%s)(?= )|"
    r" (?:ik )?vraag (?:het|dit) (?:\S+ )?(?:voor|namens) (?:mijn|mn|onze) (?:\S+ )?(?:%s)(?= )|"
    r" (?:i am |im )?asking (?:this |it )?(?:for|on behalf of) (?:my|our) (?:\S+ )?(?:%s)(?= )" % (
        _BETWEEN, _RELATION_WORDS, _RELATION_WORDS, _RELATION_WORDS, _RELATION_WORDS))
_NEIGHBOURS = re.compile(
    r" (?:de|het|onze|ons|mijn|mn|my|our|the) (?:buurjongen|buurmeisje|buurman|buurvrouw|buren|"
    r"buurkinderen|buurjongens|neighbour|neighbor|neighbours|neighbors|neighbour s|"
    r"neighbor s)(?= )")


# "pleegmoeder hier", "ik ben de oom", "wij zijn netwerkpleegouders", "as his aunt": the
# writer is a relative (not a job, though "... hier" looks like one).
_KIN_SELF = re.compile(
    r"^ (?:\S+ )?(?:%s) (?:hier|here)(?= )|"
    r" (?:gewoon |just )?(?:als|as a|as an) (?:goede |good |close )?(?:vriend|vriendin|friend|buurman|"
    r"buurvrouw|neighbour|neighbor)(?= )|"
    r" (?:ik ben|wij zijn|we zijn|i am|im|we are|as) (?:de |het |een |zijn |haar |hun |his |her |"
    r"their |the |a |an )?(?:\S+ )?(?:%s)(?= )" % (
        "|".join(_KIN_PATTERNS), "|".join(_KIN_PATTERNS)))
# A job abbreviation with an apostrophe ("piw'er", "slb'er", "spv'er", "zzp'er"), but not a
# pupil of a school type ("havo'er", "mbo'er").
_JOB_ABBREVIATION = re.compile(
    r"(?<![\w'])(?!(?:havo|vwo|vmbo|mbo|hbo|mavo|wo|bso|ex|fvd|pvv|vvd|cda|sp|pvda|d66|ja21|bbb|cu|sgp|"
    r"glpvda|nsc)['\u2019]er)[a-z0-9]{2,5}['\u2019]ers?\b",
    re.IGNORECASE)


# Chat style without "ik" at the start: "zit in een bijbelgroep die ...", "ben in 2015 naar
# syrie gegaan", "ben er al 3 jaar uit".
_SELF_START = re.compile(
    r"^ (?:zit|zat) (?:al |zelf |nu )?(?:\S+ ){0,2}in (?:een|de|die) (?:\S+ )?\S*(?:groep|netwerk|"
    r"beweging|sekte|kring|gemeenschap|scene)(?= )|"
    r"^ (?:zit|zat) in (?:\S+ ){0,2}\S*(?:groepen|groepsapps|kanalen|chats)(?= )|"
    r"^ ben (?:in \d{4} )?(?:\S+ ){0,2}naar (?:syrie|irak|het kalifaat|de kampen) "
    r"(?:gegaan|gereisd|vertrokken)(?= )")


@dataclass(frozen=True)
class RoleCues:
    relation: bool = False
    work: bool = False
    self_: bool = False
    about_relative: bool = False

    @property
    def any(self) -> bool:
        return self.relation or self.work or self.self_


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = re.sub(r"[\u2019'`]", "", text)
    text = re.sub(r"[^a-z0-9\-]+", " ", text)
    return " " + " ".join(text.split()) + " "


_POSSESSIVE_RELATION = re.compile(
    r" (?:%s)(?: %s){0,2} (?:%s)(?= )" % (
        "|".join(map(re.escape, _POSSESSIVES)), _BETWEEN, "|".join(map(re.escape, _RELATIONS))))
_OF_MINE_RELATION = re.compile(
    r" (?:een|a) (?:%s) van (?:mij|me|ons)(?= )|(?:%s) of (?:mine|ours)(?= )" % (
        "|".join(map(re.escape, _RELATIONS)), "|".join(map(re.escape, _RELATIONS))))
_WORK_PEOPLE_RE = "|".join(map(re.escape, _WORK_PEOPLE))
# "ik ben buschauffeur en een passagier ...", "als apotheker zie ik", "as a coach i".
_JOB_AND_PERSON = re.compile(
    r" (?:ik ben|ik werk als|i am an?|im an?|i work as an?) (?:\S+ ){1,3}(?:en|and) "
    r"(?:een|mijn|mn|onze|ons|a|an|one of my|my|our) (?:\S+ )?(?:%s)(?= )|"
    r" als (?:\S+ ){1,2}(?:zie|merk|hoor|heb|krijg|spreek|sprak|maak|kreeg|zag|werk) ik(?= )|"
    r" as an? (?:\S+ ){1,2}i (?:see|noticed|notice|have|had|hear|heard|work|met|am)(?= )"
    % _WORK_PEOPLE_RE)
_WORK_PERSON = re.compile(
    r" (?:(?:mijn|mn|onze|ons|my|our|een|a|an|the|de|het) (?:\S+ ){0,2}(?:%s))(?= )" % (
        "|".join(map(re.escape, _WORK_PEOPLE))))


@lru_cache(maxsize=2048)
def cues(text: str) -> RoleCues:
    text = (text or "")[:4000]  # like the danger screen: a pasted essay costs no more
    norm = _normalise(text)
    about_relative = bool(_ABOUT_RELATIVE.search(norm))
    relation = about_relative or bool(_POSSESSIVE_RELATION.search(norm)
                                      or _OF_MINE_RELATION.search(norm) or _NEIGHBOURS.search(norm)
                                      or _KIN_SELF.search(norm))
    work_person = bool(_WORK_PERSON.search(norm))
    work = bool(_WORK_PHRASES.search(norm) or _JOB_HERE.search(norm) or _JOB.search(norm)
                or _JOB_AND_PERSON.search(norm) or _JOB_ABBREVIATION.search(text)) or (work_person and bool(
        re.search(r" (?:mijn|mn|onze|ons|my|our) (?:\S+ ){0,2}(?:%s)(?= )" % "|".join(
            map(re.escape, _WORK_PEOPLE)), norm)
        or re.search(r" van (?:mij|ons)(?= )| of mine(?= )", norm)))
    return RoleCues(relation=relation, work=work,
                    self_=bool(_SELF.search(norm) or _SELF_START.search(norm)),
                    about_relative=about_relative)


def decide_role(found: RoleCues) -> str | None:
    """The role the cues point to, or None when there is no cue."""
    if found.self_:
        return INDIVIDUAL
    if found.relation:
        return FAMILY
    if found.work:
        return PROFESSIONAL
    return None


ROLE_INTENTS = {FAMILY: "role_family", PROFESSIONAL: "role_professional",
                INDIVIDUAL: "role_individual"}
_ROLE_OF_INTENT = {intent: role for role, intent in ROLE_INTENTS.items()}


def adjust_intent(text: str, ranking: tuple[tuple[str, float], ...],
                  weak_below: float = 0.0) -> str | None:
    """The role intent to use instead of the classifier's top intent, or None to keep it.

    Only a top intent that is a role (or role_unclear) is changed: a greeting, a "ja", a
    question or a danger intent is never touched (after a crisis text those must stay in
    the crisis path, and a low-confidence one becomes a clarifying question or the crisis
    follow-up). When the cues point to another role than
    the classifier, the cues win. When the classifier's role has confidence below
    `weak_below` and no cue supports it, the answer is role_unclear (ask, do not guess).
    """
    if not ranking:
        return None
    top, confidence = ranking[0]
    if top not in _ROLE_OF_INTENT and top != "role_unclear":
        return None
    found = cues(text)
    wanted: str | None = None
    if found.self_:
        wanted = ROLE_INTENTS[INDIVIDUAL]
    elif found.about_relative or (found.relation and (top != ROLE_INTENTS[INDIVIDUAL]
                                                      or found.work)):
        # A relative decides over a job; someone in a network who mentions family stays,
        # unless the writer names their own job ("I'm a social worker myself, but it's my
        # nephew").
        wanted = ROLE_INTENTS[FAMILY]
    elif found.work and not found.relation and top != ROLE_INTENTS[INDIVIDUAL]:
        wanted = ROLE_INTENTS[PROFESSIONAL]
    if wanted is not None:
        return wanted if wanted != top else None
    if top != "role_unclear" and confidence < weak_below and not found.any:
        return "role_unclear"
    return None
