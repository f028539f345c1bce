"""Custom actions of the LSE assistant (run by the Rasa SDK action server on port 5055).

The logic lives in bot/lse (plain Python); these classes only read the tracker,
call that logic and send the result.
"""
from bot.actions.actions import (  # noqa: F401
    ActionClarify,
    ActionCrisisFollowup,
    ActionExplainFamilySupport,
    ActionExplainInformationSharing,
    ActionExplainPractical,
    ActionExplainPrivacy,
    ActionGiveWebsite,
    ActionListServices,
    ActionOfferContact,
    ActionOfferMore,
    ActionSessionStart,
    ActionStartOver,
    ActionWarnDanger,
    ActionWarnSuicide,
)
