"""The consumers' queue loop outlives an idle queue (ckanext-harvest issue #581 with redis-py 8)."""
from __future__ import annotations

import json
import threading
import time

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from ckanext.hueyapan.harvesters.workers import WAIT_SECONDS, consume

from .conftest import purge_harvest_queues

pytestmark = [pytest.mark.ckan_config("ckan.plugins", "harvest hueyapan_tabular"),
              pytest.mark.usefixtures("with_plugins")]


def _client() -> redis.Redis:
    """A client of the test Redis db whose reads time out after WAIT_SECONDS + 1 s and are not
    retried, so an idle wait longer than that fails at once when the loop does not handle it."""
    from ckan.plugins.toolkit import config

    return redis.Redis(host=config["ckan.harvest.mq.hostname"],
                       port=int(config["ckan.harvest.mq.port"]),
                       db=int(config["ckan.harvest.mq.redis_db"]),
                       socket_timeout=WAIT_SECONDS + 1, retry=Retry(NoBackoff(), 0),
                       decode_responses=True)


@pytest.fixture
def unguarded_afterwards(monkeypatch):
    """``consume`` installs the consumers' address guard on every ``requests`` adapter of the
    process; put the originals back after the test, so later tests in this process reach the
    local Solr and servers as the web application does."""
    import pysolr
    from requests.adapters import HTTPAdapter

    monkeypatch.setattr(HTTPAdapter, "send", HTTPAdapter.send)
    monkeypatch.setattr(pysolr.Solr, "get_session", pysolr.Solr.get_session)


@pytest.fixture
def empty_queues():
    purge_harvest_queues()
    yield
    purge_harvest_queues()


@pytest.mark.usefixtures("empty_queues")
def test_ckanext_harvest_own_wait_dies_on_an_idle_queue():
    """The failure the loop avoids, with the same client: BLPOP without a timeout outlives the
    socket timeout and ends the consumer."""
    from ckanext.harvest.queue import RedisConsumer, get_fetch_routing_key

    consumer = RedisConsumer(_client(), get_fetch_routing_key())
    with pytest.raises(redis.exceptions.TimeoutError):
        next(consumer.consume(None))


@pytest.mark.usefixtures("empty_queues", "unguarded_afterwards")
def test_consumer_keeps_waiting_on_an_idle_queue_and_then_takes_the_message():
    from ckanext.harvest.queue import get_fetch_routing_key

    key = get_fetch_routing_key()
    idle = 2 * (WAIT_SECONDS + 1) + 1  # longer than two socket timeouts
    message = json.dumps({"harvest_object_id": "no-such-harvest-object"})
    sender = threading.Timer(idle, lambda: _client().rpush(key, message))
    sender.start()
    started = time.monotonic()
    try:
        processed = consume("fetch", redis_conn=_client(), messages=1)
    finally:
        sender.cancel()
    assert processed == 1
    assert time.monotonic() - started >= idle
    # ckanext-harvest's fetch_callback acknowledged it: no "being processed" marker is left
    assert _client().get(f"{key}:no-such-harvest-object") is None
    assert _client().llen(key) == 0
