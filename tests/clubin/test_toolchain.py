"""The toolchain is pinned: `make` and CI install from the lock files, which hold every declared
dependency at a version its specifier accepts, and pre-commit runs what `make lint` runs."""

import os
import re
import tomllib
from pathlib import Path

import redis
import yaml
from django.core.cache import cache
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from clubin.celery import app as celery_app
from tests.conftest import REDIS_URL_GIVEN, redis_url_for_worker

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
MAKEFILE = (ROOT / "Makefile").read_text()


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    found = re.findall(r"^([A-Za-z0-9._-]+)==(\S+)", text, re.M)
    return {canonicalize_name(name): version for name, version in found}


def _declared(*extras: str) -> list[Requirement]:
    project = PYPROJECT["project"]
    names = list(project["dependencies"])
    for extra in extras:
        names += project["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


def _recipe(target: str) -> list[str]:
    body = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", MAKEFILE, re.M)
    assert body is not None, target
    return [line.strip() for line in body.group(1).splitlines()]


def test_it_locks_every_declared_dependency_within_its_specifier():
    for lock, extras in (("base.lock", ()), ("dev.lock", ("test", "lint"))):
        pins = _pins(lock)
        for requirement in _declared(*extras):
            version = pins.get(canonicalize_name(requirement.name))
            assert version, f"{requirement.name} is not in {lock}: run `make lock`"
            assert requirement.specifier.contains(version), f"{lock}: {requirement} ≠ {version}"


def test_it_installs_the_same_versions_to_run_and_to_develop():
    base, dev = _pins("base.lock"), _pins("dev.lock")
    assert {name: dev.get(name) for name in base} == base


def test_it_installs_from_the_lock_files_only():
    for target, lock in ((r"$(VENV)/.installed-run", "base"), (r"$(VENV)/.installed-test", "dev")):
        installs = [line for line in _recipe(target) if "pip install" in line]
        assert installs == [
            f"$(BIN)/pip install --quiet -r requirements/{lock}.lock",
            "$(BIN)/pip install --quiet --no-deps -e .",
        ]


def test_it_runs_on_each_commit_what_make_lint_runs():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    assert [repo["repo"] for repo in config["repos"]] == ["local"]  # nothing fetched
    hooks = [hook["entry"] for repo in config["repos"] for hook in repo["hooks"]]
    assert hooks == [line.replace("$(BIN)/", ".venv/bin/") for line in _recipe("lint")]


def test_it_gives_each_parallel_worker_a_redis_database_of_its_own(settings):
    url = "redis://127.0.0.1:6379/9"
    assert redis_url_for_worker(url, "gw0") == "redis://127.0.0.1:6379/10"
    assert redis_url_for_worker(url, "gw1") == "redis://127.0.0.1:6379/11"
    assert redis_url_for_worker("redis://127.0.0.1:6379", "gw0") == "redis://127.0.0.1:6379/1"
    assert redis_url_for_worker(url, "") == url  # not in parallel: REDIS_URL as given
    # And this very run: the cache and the broker use the worker's database.
    own = redis_url_for_worker(REDIS_URL_GIVEN, os.environ.get("PYTEST_XDIST_WORKER", ""))
    if REDIS_URL_GIVEN:
        assert settings.CACHES["default"]["LOCATION"] == own
        assert settings.CELERY_BROKER_URL == celery_app.conf.broker_url == own
    if REDIS_URL_GIVEN and own != REDIS_URL_GIVEN:
        neighbour = redis.Redis.from_url(REDIS_URL_GIVEN)  # where the serial run keeps its cache
        neighbour.set("clubin-neighbour", "kept", ex=60)
        cache.clear()
        assert neighbour.get("clubin-neighbour") == b"kept"
