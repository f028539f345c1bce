"""Command line tool of the staff app.

    python -m web.staff.cli create-user NAME [--admin] [--may-search]
                                                          password asked twice, or read from
                                                          stdin; --may-search: may search the
                                                          visitors' messages (admins always may)
    python -m web.staff.cli grant-search NAME             give an account the right to search
    python -m web.staff.cli revoke-search NAME            take it back (both in the audit log)
    python -m web.staff.cli set-password NAME             (ends the account's sessions)
    python -m web.staff.cli list-users
    python -m web.staff.cli deactivate-user NAME          switch an account off; ends its sessions
    python -m web.staff.cli purge [--days N] [--log-dir D] delete conversations older than the
                                                          retention period (bot/lse_facts.yml),
                                                          and rotated logs older than that
                                                          (var/log/*.log.*); run it daily from
                                                          cron or a Kubernetes CronJob, it
                                                          does not need the web app
    python -m web.staff.cli delete CONVERSATION_ID        delete one conversation on request
    python -m web.staff.cli reindex                       rebuild the conversation index
    python -m web.staff.cli export-training-data --out FILE [--confirmed-as-test [TESTFILE]]
                                                          the inbox's corrected examples as Rasa
                                                          NLU YAML (web/staff/inbox.py); the
                                                          confirmed ones to a test file

The databases are those of the web app (web/settings.py, bot/lse/storage.py): var/*.db, or
PostgreSQL when LSE_PG_HOST is set.
"""
from __future__ import annotations

import argparse
import getpass
import logging
import sys
from pathlib import Path

from bot.lse.facts import load_facts
from web.settings import Settings
from web.staff import auth, inbox, index, queries, retention
from web.staff.db import Databases


def _password(args: argparse.Namespace) -> str:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Wachtwoord (minstens 12 tekens): ")
    second = getpass.getpass("Nog een keer: ")
    if first != second:
        raise auth.AuthError("De wachtwoorden zijn niet gelijk.")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m web.staff.cli",
                                     description="Staff accounts and retention of the LSE assistant.")
    commands = parser.add_subparsers(dest="command", required=True)
    create = commands.add_parser("create-user", help="create a named staff account")
    create.add_argument("name")
    create.add_argument("--admin", action="store_true", help="may read the audit log and delete")
    create.add_argument("--may-search", action="store_true",
                        help="may search the visitors' messages (admins always may)")
    grant = commands.add_parser("grant-search",
                                help="give an account the right to search visitors' messages")
    grant.add_argument("name")
    revoke = commands.add_parser("revoke-search", help="take that right back")
    revoke.add_argument("name")
    password = commands.add_parser("set-password", help="set a new password")
    password.add_argument("name")
    commands.add_parser("list-users", help="list the staff accounts")
    deactivate = commands.add_parser("deactivate-user",
                                     help="switch an account off and end its sessions")
    deactivate.add_argument("name")
    purge = commands.add_parser("purge", help="delete conversations past the retention period")
    purge.add_argument("--days", type=int, default=None,
                       help="retention in days (default: privacy.retention_days in bot/lse_facts.yml)")
    purge.add_argument("--log-dir", default=None,
                       help="where the rotated logs are (default: LSE_LOG_DIR or var/log)")
    delete = commands.add_parser("delete", help="delete one conversation by its id")
    delete.add_argument("conversation_id")
    commands.add_parser("reindex", help="rebuild the conversation index from all events")
    training = commands.add_parser(
        "export-training-data", help="write the examples staff labelled in the inbox as Rasa "
                                     "NLU YAML, for a developer to review and merge")
    training.add_argument("--out", required=True, type=Path,
                          help="the file for the examples the assistant got wrong")
    training.add_argument("--confirmed-as-test", nargs="?", const="", default=None,
                          metavar="TESTFILE",
                          help="also write the examples staff confirmed as right, as a test "
                               "file (default: OUT with -test before .yml)")
    args = parser.parse_args(argv)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    settings = Settings.from_env()
    databases = Databases.from_settings(settings)
    operator = f"cli:{getpass.getuser()}"
    try:
        if args.command == "create-user":
            user = auth.create_user(databases, args.name, _password(args), is_admin=args.admin,
                                    may_search=args.may_search)
            kind = " (beheerder)" if user.is_admin else (" (met zoekrecht)" if user.may_search
                                                         else "")
            print(f"Account '{user.username}' gemaakt{kind}.")
        elif args.command in ("grant-search", "revoke-search"):
            allowed = args.command == "grant-search"
            auth.set_may_search(databases, args.name, allowed, by=operator)
            name = auth.normalise_username(args.name)
            print(f"Account '{name}' mag nu zoeken in berichten van bezoekers." if allowed else
                  f"Account '{name}' mag niet meer zoeken in berichten van bezoekers"
                  " (een beheerder mag het altijd).")
        elif args.command == "set-password":
            auth.set_password(databases, args.name, _password(args))
            print("Wachtwoord gewijzigd; bestaande sessies zijn beëindigd.")
        elif args.command == "deactivate-user":
            auth.deactivate_user(databases, args.name, by=operator)
            print(f"Account '{auth.normalise_username(args.name)}' uitgeschakeld; "
                  "de sessies zijn beëindigd.")
        elif args.command == "list-users":
            for account in queries.list_users(databases):
                kind = "beheerder" if account["is_admin"] else "medewerker"
                search = (" met zoekrecht" if account["may_search"] and not account["is_admin"]
                          else "")
                state = "" if account["active"] else " (uitgeschakeld)"
                print(f"{account['username']}\t{kind}{search}{state}")
        elif args.command == "purge":
            days = args.days if args.days is not None else load_facts().retention_days
            result = retention.purge(databases, days, by=operator)
            print(f"{result.conversations} gesprekken ({result.events} events) verwijderd, "
                  f"ouder dan {days} dagen.")
            logs = retention.purge_logs(Path(args.log_dir) if args.log_dir
                                        else settings.log_dir, days)
            print(f"{len(logs)} logbestanden verwijderd, ouder dan {days} dagen.")
        elif args.command == "delete":
            if not queries.conversation_exists(databases, args.conversation_id):
                print("Dat gesprek bestaat niet (meer).", file=sys.stderr)
                return 1
            deleted = retention.delete_conversation(databases, args.conversation_id, by=operator)
            print(f"Gesprek verwijderd ({deleted} events).")
        elif args.command == "reindex":
            index.rebuild(databases)
            print("Index opnieuw opgebouwd.")
        elif args.command == "export-training-data":
            targets = [(args.out, False)]
            if args.confirmed_as_test is not None:
                test_file = (Path(args.confirmed_as_test) if args.confirmed_as_test else
                             args.out.with_name(f"{args.out.stem}-test{args.out.suffix or '.yml'}"))
                targets.append((test_file, True))
            for target, confirmed in targets:
                exported = inbox.export_training_data(databases, confirmed=confirmed)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text(exported.text, encoding="utf-8")
                inbox.audit_export(databases, operator, exported, confirmed)
                print(f"{target}: {exported.examples} voorbeelden voor {exported.intents} "
                      f"intenties ({exported.skipped_known} al in de trainingsdata, "
                      f"{exported.skipped_duplicate} dubbel, overgeslagen).")
    except auth.AuthError as error:
        print(error, file=sys.stderr)
        return 2
    finally:
        databases.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
