"""Sanic app on http://localhost:8000: the widget demo page (/) and the staff app (/staff/).

Each part is a blueprint in its own package (web.widget, web.staff) so they can grow
independently. Settings come from the environment (see web.settings).
"""
from __future__ import annotations

import importlib
import logging
import os

from sanic import Sanic
from sanic.response import text

from web.settings import Settings

logger = logging.getLogger(__name__)

BLUEPRINT_MODULES = ("web.widget.routes", "web.staff.routes")


def create_app(settings: Settings | None = None, name: str = "lse_web") -> Sanic:
    settings = settings or Settings.from_env()
    app = Sanic(name)
    app.config.REQUEST_MAX_SIZE = 1_000_000
    app.ctx.settings = settings

    @app.get("/healthz")
    async def healthz(_request):
        return text("ok")

    for module_name in BLUEPRINT_MODULES:
        importlib.import_module(module_name).register(app, settings)
    return app


def main() -> None:
    settings = Settings.from_env()
    app = create_app(settings)
    app.run(host=settings.host, port=settings.port, access_log=False,
            workers=int(os.environ.get("LSE_WEB_WORKERS", "1")))


if __name__ == "__main__":
    main()
