"""The Grafana dashboard and the Prometheus alert rules in deploy/monitoring query only metric
names the hub exports, and the dashboard plots every family: a renamed metric fails here, not on
an operator's empty panel or an alert that can never fire."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from prometheus_client import REGISTRY

from hub.metrics import families  # noqa: F401 — registers the hub's families
from hub.metrics.state import DatabaseStateCollector

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "monitoring"
# Series Prometheus makes itself for every target, not the hub.
PROMETHEUS_OWN = {"up"}
_SUFFIXES = {"counter": ("_total",), "histogram": ("_bucket", "_count", "_sum"), "gauge": ("",)}
_KEYWORDS = {"and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "bool",
             "offset", "inf", "nan"}


def metric_names(expr: str) -> set[str]:
    """The metric names a PromQL expression selects: what is left once strings, label matchers,
    ranges, grouping clauses, Grafana variables, numbers and function names are taken out."""
    expr = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)
    expr = re.sub(r"\{[^}]*\}", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)
    expr = re.sub(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    expr = re.sub(r"\$\w+", "", expr)
    names = set()
    for match in re.finditer(r"(?<![\w.])([A-Za-z_:][\w:]*)(\s*\()?", expr):
        name, call = match.group(1), match.group(2)
        if not call and name.lower() not in _KEYWORDS:
            names.add(name)
    return names


@pytest.fixture(scope="module")
def exported() -> dict[str, set[str]]:
    """Each family the hub exports, with the sample names Prometheus stores for it."""
    collected = [f for f in REGISTRY.collect() if f.name.startswith("hub_")]
    state = ["hub_deliveries_due", "hub_deliveries_oldest_due_age_seconds", "hub_endpoints"]
    samples = {f.name: {f.name + suffix for suffix in _SUFFIXES[f.type]} for f in collected}
    samples.update({name: {name} for name in state})
    return samples


def _dashboard_exprs() -> list[tuple[str, str]]:
    dashboard = json.loads((MONITORING / "grafana-dashboard.json").read_text())
    return [(panel["title"], target["expr"]) for panel in dashboard["panels"] for target in panel.get("targets", [])]


def _alert_exprs() -> list[tuple[str, str]]:
    rules = yaml.safe_load((MONITORING / "alerts.yml").read_text())
    return [(rule["alert"], rule["expr"]) for group in rules["groups"] for rule in group["rules"]]


def test_the_expression_reader_finds_names_and_only_names():
    assert metric_names('histogram_quantile(0.95, sum by (le, source) (rate(hub_x_bucket{job=~"a|b"}[5m]))) > 60') == {"hub_x_bucket"}
    assert metric_names("time() - max(hub_y) > 120 and deriv(max(hub_z)[15m:1m]) > 0") == {"hub_y", "hub_z"}
    assert metric_names('up{job="w"} == 0 or absent(up{job="i"})') == {"up"}
    assert metric_names("rate(hub_a_total[$__rate_interval]) / ignoring(x) hub_b") == {"hub_a_total", "hub_b"}


def test_the_state_families_are_the_collectors(exported, db):
    state = {family.name for family in DatabaseStateCollector().collect()}
    assert state == {"hub_deliveries_due", "hub_deliveries_oldest_due_age_seconds", "hub_endpoints"} <= set(exported)


@pytest.mark.parametrize("source", ["dashboard", "alerts"])
def test_every_query_names_only_metrics_the_hub_exports(exported, source):
    exprs = _dashboard_exprs() if source == "dashboard" else _alert_exprs()
    known = set().union(*exported.values()) | PROMETHEUS_OWN
    assert exprs
    unknown = {title: sorted(metric_names(expr) - known) for title, expr in exprs if metric_names(expr) - known}
    assert unknown == {}
    assert all(metric_names(expr) for _, expr in exprs)  # each plots or alerts on something


def test_the_dashboard_plots_every_family(exported):
    plotted = set().union(*(metric_names(expr) for _, expr in _dashboard_exprs()))
    assert {family for family, samples in exported.items() if not samples & plotted} == set()


def test_the_alerts_cover_backlog_lag_disabled_endpoints_and_silent_processes():
    alerts = dict(_alert_exprs())
    assert "hub_deliveries_due" in metric_names(alerts["HubDeliveryBacklogGrowing"])
    assert "hub_ingest_lag_seconds_bucket" in metric_names(alerts["HubIngestLagHigh"])
    assert "hub_endpoints_disabled_total" in metric_names(alerts["HubEndpointAutoDisabled"])
    assert metric_names(alerts["HubProcessNotReporting"]) == {"up"}
