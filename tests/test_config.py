"""Configuration loading and policy application."""

from __future__ import annotations

from pathlib import Path

import pytest

from cgoguard.config import ConfigError, config_from_table, load_config
from cgoguard.model import Artifact, Finding, Severity


def finding(check_id: str, severity: Severity = Severity.MEDIUM) -> Finding:
    return Finding(check_id, severity, "t", "m", "f")


def test_select_ignore_prefix_and_names() -> None:
    config = config_from_table({"select": ["CG1", "runtime-internals-exported"], "ignore": ["CG110"]})
    assert config.enabled("CG101") and config.enabled("CG201")
    assert not config.enabled("CG110") and not config.enabled("CG204")


def test_severity_override_and_per_path_ignores() -> None:
    config = config_from_table({"severity": {"CG111": "info"}, "per-path-ignores": {"*.a!*": ["CG1"]}})
    member = Artifact(path="lib/libx.a!go.o", findings=[finding("CG108")])
    top = Artifact(path="lib/libx.a", members=[member], findings=[finding("CG111", Severity.LOW)])
    config.apply(top)
    assert [f.severity for f in top.findings] == [Severity.INFO]
    assert member.findings == []


@pytest.mark.parametrize(
    "table",
    [
        {"select": ["NOPE"]},
        {"fail-on": "urgent"},
        {"jobs": 0},
        {"colour": True},
        {"severity": {"CG101": "huge"}},
        {"per-path-ignores": {"x": "CG101"}},
    ],
)
def test_bad_config_is_a_sentence(table: dict[str, object]) -> None:
    with pytest.raises(ConfigError) as raised:
        config_from_table(table)
    assert str(raised.value).endswith(".")


def test_discovery_prefers_nearest_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.cgoguard]\nfail-on = "low"\n')
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert load_config(start=sub).fail_on is Severity.LOW
    (sub / "cgoguard.toml").write_text('fail-on = "critical"\n')
    assert load_config(start=sub).fail_on is Severity.CRITICAL
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'x'\n")  # no table: passed over
    assert load_config(start=tmp_path / "a").fail_on is Severity.LOW


def test_invalid_toml(tmp_path: Path) -> None:
    bad = tmp_path / "cgoguard.toml"
    bad.write_text("select = [\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "missing.toml")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"lint": "x"}, "[tool.cgoguard.lint] must be a table"),
        ({"lint": {"includes": ["x"]}}, "unknown key(s) includes in [tool.cgoguard.lint]"),
        ({"lint": {"include": "include"}}, "include must be a list of folder names"),
        ({"lint": {"include": [3]}}, "include must be a list of folder names"),
        ({"lint": {"include": ["a\0b"]}}, "include must be a list of folder names"),
    ],
)
def test_lint_table_is_validated(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        config_from_table(table, "pyproject.toml", "/project")
    assert message in str(raised.value)


def test_lint_include_folders_resolve_from_the_config_folder(tmp_path: Path) -> None:
    from cgoguard.linter import lint
    from cgoguard.readers.cheader import read_header

    (tmp_path / "vendor" / "inc").mkdir(parents=True)
    (tmp_path / "vendor" / "inc" / "types.h").write_text("#pragma once\ntypedef int widget_t;\n")
    (tmp_path / "api").mkdir()
    header = tmp_path / "api" / "api.h"
    header.write_text("#pragma once\n#include <types.h>\nwidget_t f(void);\n")
    (tmp_path / "cgoguard.toml").write_text('[lint]\ninclude = ["vendor/inc"]\n')
    config = load_config(start=tmp_path / "api")
    assert config.lint_include_dirs == [str(tmp_path / "vendor" / "inc")]
    (artifact,) = lint([str(header)], config=config)
    assert artifact.error is None
    assert read_header(str(header), config.lint_include_dirs).missing_includes == []
    assert [m.name for m in read_header(str(header)).missing_includes] == ["types.h"]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"containers": []}, "must be a table"),
        ({"containers": {"members": 3}}, "unknown key(s) members"),
        ({"containers": {"depth": 0}}, "depth must be a whole number from 1"),
        ({"containers": {"ratio": True}}, "ratio must be a whole number"),
        ({"containers": {"platform": "amd64"}}, 'platform must look like "linux/amd64"'),
    ],
)
def test_containers_table_is_validated(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        config_from_table(table, "pyproject.toml")
    assert message in str(raised.value)


def test_containers_table_sets_the_bounds() -> None:
    config = config_from_table({"containers": {"member-mib": 8, "entries": 10, "platform": "linux/arm64"}})
    assert config.container_limits.member_bytes == 8 << 20 and config.container_limits.members == 10
    assert config.container_limits.depth == 4 and config.platform == "linux/arm64"
