"""The sample dashboard and alert rules in docs/ ask only for metrics /metrics serves."""

import json
import re
from pathlib import Path

import yaml
from django.conf import settings

DOCS = Path(settings.BASE_DIR) / "docs" / "running" / "monitoring"
NAME = re.compile(r"\balliance_[a-z_]+")


def served(client) -> set[str]:
    body = client.get("/metrics").content.decode()
    return asked(line.split()[2] for line in body.splitlines() if line.startswith("# TYPE"))


def asked(expressions) -> set[str]:
    names = set()
    for expression in expressions:
        for name in NAME.findall(expression):
            names.add(re.sub(r"_(total|bucket|sum|count|created)$", "", name))
    return names


def test_the_alert_rules_ask_for_served_metrics(client, db):
    rules = yaml.safe_load((DOCS / "alerts.yml").read_text())
    expressions = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    names = {rule["alert"] for group in rules["groups"] for rule in group["rules"]}
    assert {"OutboxStuck", "BeatSilent", "ServerErrors"} <= names
    assert asked(expressions) <= served(client)


def test_the_grafana_dashboard_asks_for_served_metrics(client, db):
    dashboard = json.loads((DOCS / "grafana-dashboard.json").read_text())
    expressions = [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    assert asked(expressions) and asked(expressions) <= served(client)
