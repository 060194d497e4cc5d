"""The body of a spawned test process: one click on "register" from a fresh interpreter.

Kept apart from the test module, which imports models: a spawned child unpickles this
function by importing its module before Django is set up.
"""

import os


def click(database: str, cookie: str, url: str, index: int, barrier, answers) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clubin.settings")
    django.setup()
    from django.conf import settings
    from django.contrib.messages import get_messages
    from django.db import connection
    from django.test import Client

    from clubin.celery import app as celery_app

    connection.settings_dict["NAME"] = database  # the test database, not the development one
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    celery_app.conf.task_always_eager = True
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie
    try:
        barrier.wait(timeout=60)
        response = client.post(url)
        levels = [message.level_tag for message in get_messages(response.wsgi_request)]
        answers.put((index, response.status_code, response.get("Location", ""), levels))
    except Exception as error:  # sent back for the assertions; a child cannot fail the test
        answers.put((index, 0, "", [repr(error)]))
    finally:
        connection.close()
