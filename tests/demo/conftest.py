"""The demo, loaded once per test module instead of once per test.

Loading the demo federation takes seconds (FlorenceIN alone has 840 people) and the tests here
only read it. A module-scoped fixture loads it inside a transaction that stays open while the
module's tests run, each test in its own savepoint inside it (pytest-django nests them), and
rolls it back after the module's last test, so no other module ever sees the demo. Tests that
need an empty database live in their own module (test_guards.py).
"""

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="module")
def module_transaction(django_db_setup, django_db_blocker) -> Iterator[None]:
    """An atomic block around the whole module: whatever module fixtures write is undone."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture(scope="module")
def demo_federation(module_transaction, django_db_blocker) -> None:
    """`manage.py load_demo`, once for the module (its logins hashed as fast as the tests')."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=fast):
        call_command("load_demo", force=True, stdout=io.StringIO())
