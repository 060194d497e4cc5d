"""The deployment files name commands, modules, settings and ports that exist.

deploy/ (systemd units, nginx, the environment example, the helper scripts) and docs/deploy.md
are read as text and checked against the code: what a unit starts can be imported, every
`manage.py` command the guide tells an operator to run exists, every variable of the example
environment is one the settings read, and the pieces agree with each other (ports, unit names).
No database needed.
"""

import ast
import importlib
import importlib.util
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from celery.app.utils import find_app
from celery.bin.beat import beat as celery_beat_command
from celery.bin.celery import celery as celery_command
from celery.bin.worker import worker as celery_worker_command
from django.conf import settings
from django.core.management import get_commands
from gunicorn.config import Config as GunicornConfig

from members.services.invitation_csv import MAX_BYTES

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
GUIDE = ROOT / "docs" / "deploy.md"
SETTINGS = ROOT / "clubin" / "settings.py"
ENV_EXAMPLE = DEPLOY / "clubin.env.example"

# Where the guide installs things on the server, and what the units must agree on.
APP_DIR = "/srv/clubin/app"
VENV_BIN = "/srv/clubin/venv/bin/"
ENV_FILE = "/etc/clubin/clubin.env"
LONG_RUNNING = ("clubin-web.service", "clubin-worker.service", "clubin-beat.service")
CELERY_COMMANDS = {"worker": celery_worker_command, "beat": celery_beat_command}

# Commands the guide must keep telling the operator about.
GUIDE_COMMANDS = {"migrate", "collectstatic", "check", "clubin_doctor", "stats_rebuild"}


# --- Reading the files ------------------------------------------------------------------------


def _unit(name: str) -> dict[str, dict[str, list[str]]]:
    """A systemd unit as {section: {key: [values, in order]}}; keys may repeat."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    text = (DEPLOY / name).read_text().replace("\\\n", " ")
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def _service(name: str) -> dict[str, list[str]]:
    return _unit(name)["Service"]


def _exec_start(name: str) -> list[str]:
    [command] = _service(name)["ExecStart"]
    return shlex.split(command)


def _option(argv: list[str], name: str) -> str:
    """The value of --name=value or --name value in an argument list."""
    for i, arg in enumerate(argv):
        if arg.startswith(f"{name}="):
            return arg.split("=", 1)[1]
        if arg == name:
            return argv[i + 1]
    raise AssertionError(f"{name} not in {argv}")


def _env_example() -> dict[str, tuple[str, bool]]:
    """{NAME: (value, set)}: set is False for the commented-out, optional variables."""
    found = {}
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.fullmatch(r"(#?)([A-Z][A-Z0-9_]*)=(.*)", line)
        if match:
            commented, name, value = match.groups()
            found[name] = (value, not commented)
    return found


def _env_file_values(values: dict[str, tuple[str, bool]]) -> dict[str, str]:
    """What systemd's EnvironmentFile= gives the processes: set lines, quotes removed."""
    env = {}
    for name, (value, is_set) in values.items():
        if is_set:
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
                value = value[1:-1]
            env[name] = value
    return env


def _settings_tree() -> ast.Module:
    return ast.parse(SETTINGS.read_text())


def _names_read_by_settings() -> set[str]:
    """Every NAME in env("NAME") / env.bool("NAME") / env.db("NAME") … in the settings."""
    names = set()
    for node in ast.walk(_settings_tree()):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        is_env = (isinstance(func, ast.Name) and func.id == "env") or (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and func.value.id == "env"
        )
        first = node.args[0]
        if is_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
            names.add(first.value)
    return names | _names_required_in_production()


def _names_required_in_production() -> set[str]:
    """The names passed to _required_in_production, directly or by a for loop over a tuple."""

    def calls_required(nodes) -> bool:
        return any(
            isinstance(n, ast.Call)
            and isinstance(n.func, ast.Name)
            and n.func.id == "_required_in_production"
            for node in nodes
            for n in ast.walk(node)
        )

    names = set()
    for node in ast.walk(_settings_tree()):
        if isinstance(node, ast.For) and calls_required(node.body):
            names |= {
                c.value
                for c in ast.walk(node.iter)
                if isinstance(c, ast.Constant) and isinstance(c.value, str)
            }
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "_required_in_production"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            names.add(node.args[0].value)
    return names


def _guide_code() -> list[str]:
    """The guide's fenced code blocks and inline code spans."""
    text = GUIDE.read_text()
    blocks = re.findall(r"^```[^\n]*\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    prose = re.sub(r"^```[^\n]*\n.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    spans = re.findall(r"`([^`\n]+)`", prose)
    return blocks + spans


def _manage_commands_mentioned() -> dict[str, set[str]]:
    """{command: {where}} for `manage.py X` and `clubin-manage X` in deploy/ and the guide."""
    pattern = re.compile(r"(?:manage\.py|clubin-manage)\s+([a-z][a-z0-9_]*)")
    sources = {f"docs/deploy.md: {code[:60]!r}": code for code in _guide_code()}
    sources |= {
        f"deploy/{path.name}": path.read_text() for path in DEPLOY.iterdir() if path.is_file()
    }
    found: dict[str, set[str]] = {}
    for where, text in sources.items():
        for command in pattern.findall(text):
            found.setdefault(command, set()).add(where)
    return found


# --- systemd units --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LONG_RUNNING)
def test_it_runs_each_process_as_clubin_from_the_code_with_the_environment_file(name):
    service = _service(name)
    assert service["User"] == ["clubin"]
    assert service["WorkingDirectory"] == [APP_DIR]
    assert service["EnvironmentFile"] == [ENV_FILE]
    assert service["Restart"] == ["on-failure"]
    assert _unit(name)["Install"]["WantedBy"] == ["multi-user.target"]


@pytest.mark.parametrize("name", [*LONG_RUNNING, "clubin-backup.service"])
def test_it_starts_programs_that_exist(name):
    argv = _exec_start(name)
    program = argv[0]
    if program.startswith(VENV_BIN):
        # The same console script exists in this virtualenv, and its package imports.
        script = program.removeprefix(VENV_BIN)
        assert (Path(sys.executable).parent / script).exists(), f"no {script} in the venv"
        assert importlib.util.find_spec(script) is not None
    else:
        assert program == "/bin/sh"
        script = argv[1]
        assert script.startswith(f"{APP_DIR}/deploy/")
        local = ROOT / script.removeprefix(f"{APP_DIR}/")
        assert local.is_file(), f"{script} is not in the repository"


def test_it_serves_the_wsgi_application_gunicorn_is_given():
    argv = _exec_start("clubin-web.service")
    parsed = GunicornConfig().parser().parse_args(argv[1:])  # exits on an unknown option
    [app] = parsed.args
    module, _, attribute = app.partition(":")
    application = getattr(importlib.import_module(module), attribute or "application")
    assert callable(application)
    wsgi = settings.WSGI_APPLICATION
    assert wsgi == f"{module}.{attribute or 'application'}"
    assert parsed.bind == ["127.0.0.1:8000"]
    assert (parsed.workers, parsed.threads) == (3, 2)


@pytest.mark.parametrize("name", ["clubin-worker.service", "clubin-beat.service"])
def test_it_gives_celery_an_app_and_options_that_exist(name):
    argv = _exec_start(name)
    app = find_app(_option(argv, "-A"))
    assert app.main == "clubin"
    subcommand = next(arg for arg in argv[1:] if arg in CELERY_COMMANDS)
    known = {
        option
        for command in (celery_command, CELERY_COMMANDS[subcommand])
        for parameter in command.params
        for option in parameter.opts
    }
    used = {arg.split("=", 1)[0] for arg in argv[1:] if arg.startswith("-")}
    assert used <= known, f"unknown options: {used - known}"


def test_it_schedules_only_registered_tasks():
    argv = _exec_start("clubin-beat.service")
    app = find_app(_option(argv, "-A"))
    app.loader.import_default_modules()
    schedule = app.conf.beat_schedule
    assert schedule == settings.CELERY_BEAT_SCHEDULE
    missing = {entry["task"] for entry in schedule.values()} - set(app.tasks)
    assert not missing, f"beat would queue unknown tasks: {missing}"


def test_it_keeps_beats_schedule_in_its_state_directory():
    service = _service("clubin-beat.service")
    [state] = service["StateDirectory"]
    schedule = _option(_exec_start("clubin-beat.service"), "--schedule")
    assert Path(schedule).parent == Path("/var/lib") / state


def test_it_lists_every_periodic_job_in_the_guide():
    guide = GUIDE.read_text()
    missing = [key for key in settings.CELERY_BEAT_SCHEDULE if f"`{key}`" not in guide]
    assert not missing, f"docs/deploy.md's beat table lacks {missing}"


def test_it_times_the_backup_service():
    timer = _unit("clubin-backup.timer")
    [unit] = timer["Timer"]["Unit"]
    assert unit == "clubin-backup.service"
    assert (DEPLOY / unit).is_file()
    assert timer["Timer"]["Persistent"] == ["true"]
    assert timer["Install"]["WantedBy"] == ["timers.target"]
    service = _service(unit)
    assert service["Type"] == ["oneshot"]
    assert service["User"] == ["clubin"]
    assert service["EnvironmentFile"] == [ENV_FILE]


@pytest.mark.parametrize("script", ["clubin-backup.sh", "clubin-manage"])
def test_it_ships_shell_scripts_that_parse(script):
    result = subprocess.run(
        ["/bin/sh", "-n", str(DEPLOY / script)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_it_dumps_in_the_format_the_restore_reads():
    script = (DEPLOY / "clubin-backup.sh").read_text()
    assert "pg_dump --format=custom" in script
    assert '--dbname="$DATABASE_URL"' in script
    assert "pg_restore --dbname=" in GUIDE.read_text()


def test_it_runs_manage_py_the_way_the_units_do():
    script = (DEPLOY / "clubin-manage").read_text()
    assert f". {ENV_FILE}" in script
    assert f"cd {APP_DIR}" in script
    assert f"{VENV_BIN}python manage.py" in script
    assert "runuser -u clubin" in script


# --- manage.py commands ---------------------------------------------------------------------------


def test_it_mentions_only_manage_commands_that_exist():
    mentioned = _manage_commands_mentioned()
    commands = get_commands()
    unknown = {command: where for command, where in mentioned.items() if command not in commands}
    assert not unknown, f"no such manage.py command: {unknown}"


def test_it_tells_the_operator_to_run_the_release_and_check_commands():
    missing = GUIDE_COMMANDS - set(_manage_commands_mentioned())
    assert not missing, f"docs/deploy.md no longer tells the operator to run {missing}"
    assert "python manage.py clubin_doctor" in GUIDE.read_text()


# --- The environment ------------------------------------------------------------------------------


def test_it_only_sets_variables_the_settings_read():
    unknown = set(_env_example()) - _names_read_by_settings()
    assert not unknown, f"clubin.env.example sets what clubin/settings.py never reads: {unknown}"


def test_it_lists_every_variable_the_settings_read():
    read = _names_read_by_settings()
    assert read >= {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL"}
    missing = read - set(_env_example())
    assert not missing, f"clubin.env.example does not mention {missing}"
    guide = GUIDE.read_text()
    undocumented = [name for name in sorted(read) if f"`{name}`" not in guide]
    assert not undocumented, f"docs/deploy.md does not describe {undocumented}"


def test_it_sets_what_production_requires():
    values = _env_example()
    required = _names_required_in_production()
    assert required == {"SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"}
    for name in required | {"DEBUG", "SITE_URL", "REDIS_URL", "EMAIL_URL", "DEFAULT_FROM_EMAIL"}:
        assert name in values and values[name][1], f"{name} is not set in clubin.env.example"
    assert values["DEBUG"][0] == "0"
    assert values["SECRET_KEY"][0] == "", "the example must not ship a usable secret"
    assert values["SITE_URL"][0].startswith("https://")
    assert values["DATABASE_URL"][0].startswith("postgres://")  # libpq reads it too (backups)
    assert values["EMAIL_URL"][0].startswith("smtp+tls://")


def test_it_keeps_values_systemd_and_sh_read_alike():
    for line in ENV_EXAMPLE.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.partition("=")
        assert sep and re.fullmatch(r"[A-Z][A-Z0-9_]*", name), f"not NAME=value: {line!r}"
        assert not line.startswith("export "), line
        assert " #" not in value or value.startswith('"'), f"inline comment: {line!r}"
        if " " in value:
            assert value[0] == value[-1] == '"', f"unquoted space: {line!r}"


def test_it_passes_the_deploy_check_with_the_example_filled_in():
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their session; a server never has it.
    outside = _names_read_by_settings() | {"DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in outside}
    env |= _env_file_values(_env_example())
    env["SECRET_KEY"] = "deploy-files-test-" + "k3y" * 20
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr + result.stdout


# --- nginx ----------------------------------------------------------------------------------------


def _nginx() -> str:
    lines = (DEPLOY / "nginx-clubin.conf").read_text().splitlines()
    return "\n".join(line.split("#", 1)[0] for line in lines)


def test_it_proxies_to_the_address_gunicorn_binds():
    [target] = re.findall(r"proxy_pass\s+http://([^/;\s]+)\s*;", _nginx())
    bind = _option(_exec_start("clubin-web.service"), "--bind")
    assert target == bind


def test_it_passes_the_headers_the_settings_trust():
    nginx = _nginx()
    header, value = settings.SECURE_PROXY_SSL_HEADER
    assert value == "https"
    name = header.removeprefix("HTTP_").replace("_", "-").title()
    assert re.search(rf"proxy_set_header\s+{name}\s+\$scheme\s*;", nginx), name
    assert re.search(r"proxy_set_header\s+Host\s+\$host\s*;", nginx)


def test_it_accepts_an_invitations_csv_of_the_largest_allowed_size():
    [size] = re.findall(r"client_max_body_size\s+(\d+)([kKmM]?)\s*;", _nginx())
    number, unit = size
    limit = int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]
    assert limit > MAX_BYTES  # the file, plus the multipart envelope and the CSRF token


def test_it_serves_static_files_from_gunicorn_not_nginx():
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in settings.MIDDLEWARE
    assert "location /static" not in _nginx()
