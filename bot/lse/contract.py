"""The names the parts of the assistant agree on: actions, intents, slots and slot values.

domain.yml defines them for Rasa; the custom actions (bot/actions/actions.py) answer to the
action names and set the slots; the staff app (web/staff: the index, transcripts and the
inbox) reads them back from Rasa's events. They all take the names from here, and
tests/unit/test_texts_and_domain.py checks that every name below exists in domain.yml (or,
for the few Rasa defines itself, in Rasa), so renaming one in the domain without here fails
a test instead of silently emptying a column of the staff app. Pure Python, no Rasa.
"""
from __future__ import annotations

# --- custom actions (domain.yml `actions`, classes in bot/actions/actions.py) ------------
ACTION_SESSION_START = "action_session_start"
ACTION_OFFER_CONTACT = "action_offer_contact"      # sets SLOT_OFFICE_OPEN
ACTION_WARN_DANGER = "action_warn_danger"          # 112 first: counted as danger_112
ACTION_WARN_SUICIDE = "action_warn_suicide"        # 113: counted as danger_113
ACTION_CRISIS_FOLLOWUP = "action_crisis_followup"
ACTION_CLARIFY = "action_clarify"                  # the clarifying question (inbox: fallback)
ACTION_OFFER_MORE = "action_offer_more"
ACTION_EXPLAIN_FAMILY_SUPPORT = "action_explain_family_support"
ACTION_LIST_SERVICES = "action_list_services"
ACTION_EXPLAIN_PRIVACY = "action_explain_privacy"
ACTION_EXPLAIN_INFORMATION_SHARING = "action_explain_information_sharing"
ACTION_EXPLAIN_PRACTICAL = "action_explain_practical"
ACTION_GIVE_WEBSITE = "action_give_website"
ACTION_START_OVER = "action_start_over"
CUSTOM_ACTIONS: tuple[str, ...] = (
    ACTION_SESSION_START, ACTION_OFFER_CONTACT, ACTION_WARN_DANGER, ACTION_WARN_SUICIDE,
    ACTION_CRISIS_FOLLOWUP, ACTION_CLARIFY, ACTION_OFFER_MORE, ACTION_EXPLAIN_FAMILY_SUPPORT,
    ACTION_LIST_SERVICES, ACTION_EXPLAIN_PRIVACY, ACTION_EXPLAIN_INFORMATION_SHARING,
    ACTION_EXPLAIN_PRACTICAL, ACTION_GIVE_WEBSITE, ACTION_START_OVER)

# --- intents (domain.yml `intents`) ---------------------------------------------------------
INTENT_ROLE_INDIVIDUAL = "role_individual"
INTENT_DANGER_ACUTE = "danger_acute"
INTENT_DANGER_SUICIDE = "danger_suicide"
DANGER_INTENTS: tuple[str, ...] = (INTENT_DANGER_ACUTE, INTENT_DANGER_SUICIDE)
INTENTS: tuple[str, ...] = (INTENT_ROLE_INDIVIDUAL, *DANGER_INTENTS)

# --- slots (domain.yml `slots`) and the values of the categorical ones -----------------------
SLOT_ROLE = "role"
SLOT_LANGUAGE = "language"
SLOT_CRISIS = "crisis"
SLOT_INTRO_PENDING = "intro_pending"
SLOT_OFFICE_OPEN = "office_open"
SLOTS: tuple[str, ...] = (SLOT_ROLE, SLOT_LANGUAGE, SLOT_CRISIS, SLOT_INTRO_PENDING,
                          SLOT_OFFICE_OPEN)
ROLES: tuple[str, ...] = ("family", "professional", "individual")
LANGUAGES: tuple[str, ...] = ("nl", "en")
SLOT_VALUES: dict[str, tuple[str, ...]] = {SLOT_ROLE: ROLES, SLOT_LANGUAGE: LANGUAGES}

# --- names Rasa itself defines (checked against Rasa's constants, not domain.yml) -----------
ACTION_LISTEN = "action_listen"
INTENT_NLU_FALLBACK = "nlu_fallback"                     # the FallbackClassifier's intent
SLOT_SESSION_STARTED_METADATA = "session_started_metadata"
