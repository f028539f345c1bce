"""Security review L9: in the local cluster the application role `lse`, which the replicas
and the staff app log in with, is no PostgreSQL superuser; initdb's superuser is a separate
role that nothing but the launcher uses. `lse` owns its two databases."""
import psycopg2
import pytest
import requests

from cluster.launcher import PG_ADMIN, PG_USER


def test_the_application_role_is_no_superuser_and_owns_its_databases(cluster):
    assert cluster.postgres.user == PG_USER == "lse"
    for server in cluster.servers:  # what the replicas are started with
        assert server.postgres.user == PG_USER
    connection = cluster.pg_connect("rasa")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, rolsuper, rolcreaterole, rolcreatedb, "
                           "rolreplication, rolbypassrls FROM pg_roles "
                           "WHERE rolname = current_user")
            assert cursor.fetchone() == (PG_USER, False, False, False, False, False)
            cursor.execute("SELECT datname, pg_get_userbyid(datdba) FROM pg_database "
                           "WHERE datname IN ('rasa', 'lse_staff') ORDER BY datname")
            assert cursor.fetchall() == [("lse_staff", PG_USER), ("rasa", PG_USER)]
            cursor.execute("SELECT rolname FROM pg_roles WHERE rolsuper")
            assert [row[0] for row in cursor.fetchall()] == [PG_ADMIN]
            # What only a superuser (or a role with those rights) may do, refused:
            for statement in ("CREATE ROLE someone LOGIN", "CREATE DATABASE other",
                              "COPY (SELECT 1) TO PROGRAM 'true'",
                              "SELECT pg_read_file('postgresql.conf')",
                              f"ALTER ROLE {PG_USER} SUPERUSER"):
                with pytest.raises(psycopg2.errors.InsufficientPrivilege):
                    cursor.execute(statement)
            # ... and what the application needs still works: its tables, in its database.
            cursor.execute("SELECT count(*) FROM events")
            assert cursor.fetchone()[0] >= 0
            cursor.execute("CREATE TABLE lse_role_check (id integer)")
            cursor.execute("DROP TABLE lse_role_check")
    finally:
        connection.close()
    # The superuser's password is not the application's.
    assert cluster.pg_admin_password and cluster.pg_admin_password != cluster.pg_password
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(host="127.0.0.1", port=cluster.pg_port, user=PG_ADMIN,
                         password=cluster.pg_password, dbname="postgres", connect_timeout=3)
    # The replicas work with that role: a message is stored.
    answer = requests.post(cluster.public_url + "/webhooks/rest/webhook",
                           json={"sender": "rolcheckzonderrechten", "message": "hallo"},
                           timeout=60)
    assert answer.status_code == 200 and answer.json()
    assert any(kind == "user" for kind, *_ in cluster.stored_events("rolcheckzonderrechten"))
