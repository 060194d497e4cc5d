"""Racing threads for the PostgreSQL concurrency tests: each action on its own connection."""

import threading
from collections.abc import Callable

from django.db import connection


def race(*actions: Callable[[], object]) -> list[object]:
    """Run the actions at the same instant, one thread (and connection) each; return each
    result, or the exception it raised, in the order given."""
    barrier = threading.Barrier(len(actions))
    results: list[object] = [None] * len(actions)

    def run(index: int, action: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = action()
        except Exception as error:  # the outcome under test, recorded for the assertions
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not [t for t in threads if t.is_alive()], "a racing thread is stuck (a deadlock?)"
    return results
