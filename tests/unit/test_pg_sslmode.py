"""Security review L9: every PostgreSQL connection takes LSE_PG_SSLMODE (default prefer, as
libpq's own default), Rasa's tracker store as well as the staff app. Checked on what reaches
psycopg2: the keyword arguments SQLAlchemy's dialect builds for psycopg2.connect()."""
import pytest
import sqlalchemy as sa
import yaml
from rasa.core.tracker_store import SQLTrackerStore
from rasa.utils.endpoints import read_endpoint_config

from bot.lse.storage import PG_VARIABLES, SSL_MODES, PostgresConfig
from web.staff.db import make_engine

ENV = {"LSE_PG_HOST": "db.example.internal", "LSE_PG_USER": "lse_rasa",
       "LSE_PG_PASSWORD": "geheim-wachtwoord", "LSE_PG_DB": "rasa"}


def connect_args(url):
    engine = sa.create_engine(url) if not isinstance(url, sa.engine.Engine) else url
    try:
        _, kwargs = engine.dialect.create_connect_args(engine.url)
        return kwargs
    finally:
        engine.dispose()


def test_the_default_is_prefer_as_before():
    config = PostgresConfig.from_env(ENV)
    assert config.sslmode == "prefer"
    assert connect_args(config.sqlalchemy_url("rasa"))["sslmode"] == "prefer"


@pytest.mark.parametrize("mode", ["verify-full", "require", "disable"])
def test_the_staff_app_engine_connects_with_the_chosen_sslmode(mode):
    config = PostgresConfig.from_env({**ENV, "LSE_PG_SSLMODE": mode})
    for database in (config.db, config.staff_db):
        engine = make_engine(config.sqlalchemy_url(database))  # what web/staff/db.py uses
        args = connect_args(engine)
        assert args["sslmode"] == mode and args["database"] == database
        assert args["host"] == "db.example.internal"


def test_rasas_tracker_store_connects_with_the_chosen_sslmode(tmp_path, monkeypatch):
    """The section servers/ writes into endpoints.yml, read the way Rasa reads it,
    and the URL Rasa's SQLTrackerStore builds from it."""
    config = PostgresConfig.from_env({**ENV, "LSE_PG_SSLMODE": "Verify-Full "})
    path = tmp_path / "endpoints.yml"
    path.write_text(yaml.safe_dump({"tracker_store": config.tracker_store_section()}))
    monkeypatch.setenv("LSE_PG_PASSWORD", "geheim-wachtwoord")  # Rasa expands the reference
    endpoint = read_endpoint_config(str(path), "tracker_store")
    kwargs = dict(endpoint.kwargs)
    url = SQLTrackerStore.get_db_url(kwargs["dialect"], endpoint.url, kwargs["port"],
                                     kwargs["db"], kwargs["username"], kwargs["password"], None,
                                     kwargs["query"])
    args = connect_args(url)
    assert args["sslmode"] == "verify-full" and args["host"] == "db.example.internal"
    # The password is still only a reference to the environment in the file.
    assert "geheim" not in path.read_text()


def test_an_unknown_sslmode_is_refused_not_weakened():
    with pytest.raises(ValueError, match="LSE_PG_SSLMODE"):
        PostgresConfig.from_env({**ENV, "LSE_PG_SSLMODE": "verify_full"})
    assert SSL_MODES[-1] == "verify-full"


def test_child_processes_get_the_sslmode_and_nothing_leaks_into_repr():
    config = PostgresConfig.from_env({**ENV, "LSE_PG_SSLMODE": "verify-full"})
    assert config.env()["LSE_PG_SSLMODE"] == "verify-full"
    assert "LSE_PG_SSLMODE" in PG_VARIABLES  # stripped from test environments like the rest
    assert PostgresConfig.from_env(config.env()) == config
    assert "geheim" not in repr(config) and "verify-full" in repr(config)
