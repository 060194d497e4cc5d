"""The base for tasks that work inside one network."""

from typing import Any

from celery import Task
from django_scopes import scope

from networks.models import Network


class NetworkTask(Task):
    """Takes ``network_id`` as a keyword argument and runs the task inside that network's scope.

    The task body receives the loaded ``network`` instead of the id.
    """

    abstract = True
    # Callers pass network_id while the body takes network: skip Celery's signature check.
    typing = False

    def __call__(self, *args: Any, network_id: int, **kwargs: Any) -> Any:
        network = Network.objects.get(pk=network_id)
        with scope(network=network):
            return super().__call__(*args, network=network, **kwargs)
