"""The alert rules and the scrape configuration, through Prometheus's own promtool: the rules
parse, each alert fires on the series in deploy/prometheus/alerts_test.yml and stays quiet on
the healthy ones, and the scrape configuration loads them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from core.settings import ROOT

RULES = ROOT / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool")
pytestmark = pytest.mark.skipif(PROMTOOL is None, reason="promtool missing: run `make system`")


def promtool(*args: str, cwd: Path = RULES) -> subprocess.CompletedProcess[str]:
    assert PROMTOOL is not None
    return subprocess.run(
        [PROMTOOL, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def alert_names() -> set[str]:
    text = (RULES / "alerts.yml").read_text()
    return {line.split(":", 1)[1].strip() for line in text.splitlines() if "- alert:" in line}


def test_rules_are_valid() -> None:
    result = promtool("check", "rules", "alerts.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alert_names())} rules found" in result.stdout


def test_every_alert_fires_and_stays_quiet_in_the_unit_tests() -> None:
    result = promtool("test", "rules", "alerts_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    cases = (RULES / "alerts_test.yml").read_text()
    for name in alert_names():  # each alert has a firing case and a quiet one
        assert f"alertname: {name}\n" in cases, name
        assert f"alertname: {name}, exp_alerts: []" in cases, name


def test_scrape_configuration_loads_the_rules(tmp_path: Path) -> None:
    token = tmp_path / "token"
    token.write_text("a-metrics-token-of-the-test\n")
    config = (RULES / "prometheus.yml").read_text()
    config = config.replace("/etc/prometheus/switchboard_metrics_token", str(token))
    (tmp_path / "prometheus.yml").write_text(config)
    shutil.copy(RULES / "alerts.yml", tmp_path / "alerts.yml")
    result = promtool("check", "config", "prometheus.yml", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(alert_names())} rules found" in result.stdout
