"""Which services fit which visitor. Pure data and rules, no Rasa."""
from __future__ import annotations

FAMILY = "family"
PROFESSIONAL = "professional"
INDIVIDUAL = "individual"
ROLES = (FAMILY, PROFESSIONAL, INDIVIDUAL)

# Intent -> service key (the key of its button in bot/texts.yml).
SERVICE_INTENTS: dict[str, str] = {
    "service_familieondersteuning": "familieondersteuning",
    "service_behandeling": "behandeling",
    "service_forsa": "forsa",
    "service_consultatie": "consultatie",
    "service_trajectadvisering": "trajectadvisering",
    "service_liv": "liv",
    "service_lat": "lat",
    "service_duiding": "duiding",
    "service_training": "training",
    "service_kennis": "kennis",
}

# Services offered to each role, most relevant first.
SERVICES_FOR_ROLE: dict[str, tuple[str, ...]] = {
    FAMILY: ("familieondersteuning", "behandeling", "forsa"),
    PROFESSIONAL: (
        "consultatie",
        "trajectadvisering",
        "liv",
        "lat",
        "duiding",
        "training",
        "kennis",
    ),
    INDIVIDUAL: ("forsa", "behandeling"),
}

# A question about one of these services tells us the visitor asks for work.
PROFESSIONAL_ONLY = frozenset(
    {"consultatie", "trajectadvisering", "liv", "lat", "training"}
)


def role_from_intent(intent: str | None, current_role: str | None,
                     cue_role: str | None = None) -> str | None:
    """The role to remember after a question about a service, when the visitor has not
    told it yet.

    A service that only professionals (or only families) ask about tells the role; for the
    others (Duidingen, Kennis, Forsa, Behandeling) the role cues of the message decide
    (`cue_role`, from bot/lse/role_cues.py: "ik ben wijkagent ... is dit extremisme?").
    A relative or the writer's own involvement in the cues decides over the service ("our
    son came back from a camp in Syria" asks about LAT, but the writer is family).
    A known role is never overwritten here: only the visitor's own words about who they
    are (the role_* intents, mapped in domain.yml) change it.
    """
    if current_role in ROLES:
        return None
    service = SERVICE_INTENTS.get(intent or "")
    if service is not None and cue_role in (FAMILY, INDIVIDUAL):
        # A relative or the writer's own involvement decides over the kind of service.
        return cue_role
    if service in PROFESSIONAL_ONLY:
        return PROFESSIONAL
    if service == "familieondersteuning":
        return FAMILY
    if service is not None and cue_role in ROLES:
        return cue_role
    return None


def services_to_offer(role: str | None) -> list[str]:
    """Service buttons for the role (all services when the role is unknown)."""
    if role in SERVICES_FOR_ROLE:
        return list(SERVICES_FOR_ROLE[role])
    return ["familieondersteuning", "forsa", "behandeling", "consultatie",
            "trajectadvisering", "liv", "lat", "duiding", "training", "kennis"]
