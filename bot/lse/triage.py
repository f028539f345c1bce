"""Which services fit which visitor. Pure data and rules, no Rasa."""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

FAMILY = "family"
PROFESSIONAL = "professional"
INDIVIDUAL = "individual"
ROLES = (FAMILY, PROFESSIONAL, INDIVIDUAL)

# Intent -> service key (the key of its button in bot/texts.yml).
SERVICE_INTENTS: Dict[str, str] = {
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
SERVICES_FOR_ROLE: Dict[str, Tuple[str, ...]] = {
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


def role_from_intent(intent: Optional[str], current_role: Optional[str]) -> Optional[str]:
    """The role to remember after `intent`, when the visitor has not told it yet.

    A known role is never overwritten here: only the visitor's own words about who
    they are (the role_* intents, mapped in domain.yml) change it.
    """
    if current_role in ROLES:
        return None
    service = SERVICE_INTENTS.get(intent or "")
    if service in PROFESSIONAL_ONLY:
        return PROFESSIONAL
    if service == "familieondersteuning":
        return FAMILY
    return None


def services_to_offer(role: Optional[str], just_explained: Optional[str] = None) -> List[str]:
    """Service buttons for the role (all services when the role is unknown)."""
    if role in SERVICES_FOR_ROLE:
        keys = list(SERVICES_FOR_ROLE[role])
    else:
        keys = ["familieondersteuning", "forsa", "behandeling", "consultatie",
                "trajectadvisering", "liv", "lat", "duiding", "training", "kennis"]
    return [key for key in keys if key != just_explained]
