"""Who may reach a staff route: a property of the route, set where the route is defined.

Every route of the staff app needs a logged-in staff member unless its handler says
otherwise. The staff app's request middleware (web/staff/routes.py) reads the property
from `request.route.handler`; tests/staff/test_auth.py reads it from every route of the app.
Sanic 21.12 has `route.ctx` but no way to fill it from the route decorator, so the property
is an attribute on the handler:

    @bp.get("/audit")
    @admin_only
    async def audit_page(request): ...

The marking decorator goes below the route decorator (it must see the handler first).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

PUBLIC = "public"  # anyone, also without a session (the login page, the style sheet)
STAFF = "staff"    # a logged-in staff member: the default
ADMIN = "admin"    # a logged-in admin
LEVELS = (PUBLIC, STAFF, ADMIN)
ATTRIBUTE = "lse_staff_access"

Handler = TypeVar("Handler", bound=Callable[..., Any])


def _mark(level: str) -> Callable[[Handler], Handler]:
    def mark(handler: Handler) -> Handler:
        setattr(handler, ATTRIBUTE, level)
        return handler
    return mark


public = _mark(PUBLIC)
admin_only = _mark(ADMIN)


def access_of(handler: Any) -> str:
    """The access level of a route's handler; STAFF when it says nothing (deny by default)."""
    level = getattr(handler, ATTRIBUTE, STAFF)
    return level if level in LEVELS else STAFF
