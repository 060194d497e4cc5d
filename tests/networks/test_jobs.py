"""The job runner: each network in its own scope and transaction; failures isolated, reported."""

import logging

import pytest
from django_scopes import ScopeError, scopes_disabled

from networks.jobs import JobFailed, for_each_network
from networks.models import Membership, Network

pytestmark = pytest.mark.django_db


def _fail_in(slug: str, then=lambda network: 1):
    def job(network: Network) -> int:
        result = then(network)
        if network.slug == slug:
            raise RuntimeError(f"broken in {slug}")
        return result

    return job


def test_it_runs_the_other_networks_when_one_fails(personas, caplog):
    caplog.set_level(logging.INFO, logger="networks.jobs")
    report = for_each_network(_fail_in("florence"))
    assert report.done == {"veneto": 1}
    assert report.failed == ["florence"]
    [failure] = [r for r in caplog.records if r.exc_info]
    assert "florence" in failure.getMessage() and "broken in florence" in caplog.text
    [summary] = [r for r in caplog.records if "failed in" in r.getMessage()]
    assert summary.levelno == logging.ERROR and "florence" in summary.getMessage()


def test_it_fails_the_run_naming_the_networks(personas):
    with pytest.raises(JobFailed, match="failed for florence") as caught:
        for_each_network(_fail_in("florence")).total_or_raise()
    assert caught.value.report.done == {"veneto": 1}
    assert for_each_network(lambda network: 2).total_or_raise() == 4


def test_it_shows_each_job_only_its_networks_rows(personas):
    seen = {}

    def members(network: Network) -> int:
        seen[network.slug] = {m.user_id for m in Membership.objects.all()}
        return len(seen[network.slug])

    assert for_each_network(members).total == 3
    assert seen == {
        "florence": {personas.alice.pk, personas.bob.pk},
        "veneto": {personas.charlie.pk},
    }
    with pytest.raises(ScopeError):
        list(Membership.objects.all())  # and the scope does not outlive the job


def test_it_rolls_back_only_the_failing_networks_writes(personas):
    def alerts_daily(network: Network) -> int:
        return Membership.objects.update(application_alerts=Membership.Alerts.DAILY)

    for_each_network(_fail_in("florence", then=alerts_daily))
    with scopes_disabled():
        alerts = dict(Membership.objects.values_list("user_id", "application_alerts"))
    assert alerts[personas.charlie.pk] == Membership.Alerts.DAILY
    assert alerts[personas.alice.pk] != Membership.Alerts.DAILY
    assert alerts[personas.bob.pk] != Membership.Alerts.DAILY


def test_it_runs_only_the_networks_it_is_given(personas):
    report = for_each_network(lambda network: 1, networks=[personas.veneto])
    assert report.done == {"veneto": 1}
