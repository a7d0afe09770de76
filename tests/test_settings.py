"""Settings (config.toml): every key is honoured, the command line wins over it, and the
README's example is a valid file. Bad values and files: tests/test_files.py; the theme:
tests/ui/test_theme.py."""

from __future__ import annotations

import re
from pathlib import Path

from orgtui import files
from orgtui.arguments import parse
from orgtui.cli import make_context

README = Path(__file__).resolve().parent.parent / "README.md"


def write_config(text: str) -> Path:
    path = files.config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def aws_profile(isolated_env, name: str) -> None:
    config = isolated_env / "aws" / "config"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f"[profile {name}]\nregion = ap-south-1\n"
        "aws_access_key_id = testing\naws_secret_access_key = testing\n"
    )


def test_config_path_is_the_platformdirs_one(isolated_env):
    assert files.config_path() == (
        isolated_env / "xdg" / "xdg_config_home" / "orgtui" / "config.toml"
    )


def test_every_setting_is_honoured(isolated_env, capsys):
    aws_profile(isolated_env, "org-management")
    write_config(
        'profile = "org-management"\nregion = "eu-west-1"\nconcurrency = 9\n'
        'theme = "nord"\ncache = false\n'
    )
    cfg = parse([])
    assert capsys.readouterr().err == ""
    assert (cfg.profile, cfg.region, cfg.concurrency, cfg.use_cache) == (
        "org-management",
        "eu-west-1",
        9,
        False,
    )
    assert cfg.settings.theme == "nord"
    ctx, demo = make_context(cfg)
    assert demo is None
    assert ctx.session.profile_name == "org-management"
    assert ctx.region == "eu-west-1"
    assert ctx.options.concurrency == 9


def test_the_command_line_wins_over_the_settings(isolated_env):
    aws_profile(isolated_env, "other")
    write_config(
        'profile = "org-management"\nregion = "eu-west-1"\nconcurrency = 9\ncache = true\n'
    )
    cfg = parse(["--profile", "other", "--region", "us-west-2", "--concurrency", "2", "--no-cache"])
    assert (cfg.profile, cfg.region, cfg.concurrency, cfg.use_cache) == (
        "other",
        "us-west-2",
        2,
        False,
    )
    ctx, _ = make_context(cfg)
    assert ctx.session.profile_name == "other" and ctx.options.concurrency == 2


def test_defaults_without_a_settings_file():
    assert not files.config_path().exists()
    cfg = parse([])
    # concurrency None: auto
    assert (cfg.profile, cfg.region, cfg.concurrency, cfg.use_cache) == (None, None, None, True)
    assert cfg.settings == files.Settings()


def test_the_demo_ignores_the_profile_setting():
    write_config('profile = "org-management"\n')
    cfg = parse(["--demo"])
    assert cfg.profile is None and not cfg.use_cache


def test_the_readme_example_is_a_valid_settings_file():
    text = README.read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", text, flags=re.S)
    assert example is not None
    path = write_config(example.group(1))
    settings, problems = files.load_settings(path)
    assert problems == []
    assert settings == files.Settings(
        profile="org-management",
        region="us-east-1",
        concurrency=None,
        theme="textual-dark",
        cache=True,
        impact_regions=("eu-west-1",),
        identity_center_region="eu-west-1",
        keymap=(("attest", "ctrl+t"), ("reload", "f5,ctrl+r")),
    )
    top, table, _ = example.group(1).partition("[keymap]")
    assert set(files.Settings.__dataclass_fields__) == {
        line.split("=")[0].strip() for line in top.splitlines() if "=" in line
    } | {table.strip("[]")}


def test_concurrency_auto_from_the_settings_and_the_command_line():
    write_config('concurrency = "auto"\n')
    assert parse([]).concurrency is None
    write_config("concurrency = 6\n")
    assert parse([]).concurrency == 6
    assert parse(["--concurrency", "auto"]).concurrency is None  # the command line wins
    assert parse(["--concurrency", "12"]).concurrency == 12
