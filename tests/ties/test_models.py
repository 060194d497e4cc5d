"""The database, not only the services, keeps the rules of the ties tables."""

import pytest
from django.db import IntegrityError, transaction

from ties.models import Answer, Connection, Origin, Post


def _post(personas, **fields) -> Post:
    values = {
        "network": personas.florence,
        "author": personas.alice,
        "title": "A notary in Padova",
        "expires_on": "2100-01-01",
    }
    return Post.objects.create(**(values | fields))


def test_it_stores_a_connection_once_per_pair_lower_id_first(personas):
    low, high = sorted([personas.alice, personas.bob], key=lambda user: user.pk)
    Connection.objects.create(user_low=low, user_high=high, origin=Origin.ASK)
    with pytest.raises(IntegrityError), transaction.atomic():
        Connection.objects.create(user_low=low, user_high=high, origin=Origin.EVENT)
    with pytest.raises(IntegrityError), transaction.atomic():
        Connection.objects.create(user_low=high, user_high=low, origin=Origin.EVENT)
    assert Connection.objects.count() == 1


def test_it_keeps_one_answer_per_person_and_post(personas):
    from django_scopes import scopes_disabled

    with scopes_disabled():
        post = _post(personas)
    Answer.objects.create(post=post, author=personas.bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        Answer.objects.create(post=post, author=personas.bob, kind=Answer.Kind.INTRODUCE)
    assert Answer.objects.count() == 1
