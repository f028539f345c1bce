"""docs/deployment.md: the retention job that production schedules is the staff app's purge
command (review M5), not a raw DELETE; and the staff app is documented as not public."""
import re
from pathlib import Path

import yaml

DOC = (Path(__file__).resolve().parents[2] / "docs" / "deployment.md").read_text(encoding="utf-8")


def yaml_blocks():
    for block in re.findall(r"```yaml\n(.*?)```", DOC, re.S):
        try:
            yield yaml.safe_load(re.sub(r"<[^>]+>", "x", block))
        except yaml.YAMLError:
            continue


def test_the_kubernetes_retention_job_calls_the_purge_command():
    jobs = [block for block in yaml_blocks()
            if isinstance(block, dict) and block.get("kind") == "CronJob"]
    assert jobs, "no CronJob in docs/deployment.md"
    commands = [container.get("command", []) + container.get("args", [])
                for job in jobs
                for container in job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]]
    assert any(" ".join(command).endswith("-m web.staff.cli purge") for command in commands), commands
    assert all(job["spec"].get("concurrencyPolicy") == "Forbid" for job in jobs)


def test_the_cron_line_for_one_machine_calls_the_purge_command():
    assert re.search(r"^\s*\d+ \d+ \* \* \*\s+.*python -m web\.staff\.cli purge", DOC, re.M)
    assert "deletes old events from `rasa.events`" not in DOC  # the old advice


def test_the_staff_app_is_documented_behind_vpn_or_allow_list():
    assert "whitelist-source-range" in DOC and "VPN" in DOC
    assert "plus** the longest backup" in DOC  # what backups and WAL archives mean
