"""The consumers' queue loop outlives an idle queue (ckanext-harvest issue #581 with redis-py 8)."""
from __future__ import annotations

import json
import threading
import time
from pathlib import Path

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
    with pytest.raises(redis.TimeoutError):
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


def test_a_paused_consumer_set_takes_no_message_and_works_again_when_resumed(request):
    """The harvesting tests keep a set of consumer processes per configuration and pause it
    between tests: a job queued while it is paused (by a test without consumers) stays queued,
    and the set handles messages again once a test resumes it."""
    from ckanext.harvest.queue import get_gather_routing_key

    from .conftest import CONSUMERS, running_consumers

    ini = str(Path(request.config.getoption("--ckan-ini")).resolve())
    key = get_gather_routing_key()
    conn = _client()
    with running_consumers(ini) as first:
        pids = first.pids
    assert first.paused and first in CONSUMERS.sets.values()
    assert {_state(pid) for pid in pids} == {"T"}  # stopped by SIGSTOP
    conn.rpush(key, json.dumps({"harvest_job_id": "queued-while-paused"}))
    time.sleep(WAIT_SECONDS + 1)  # longer than one BLPOP of a consumer that was not paused
    assert conn.llen(key) == 1
    with running_consumers(ini) as again:
        assert again is first and not again.paused and again.pids == pids
        assert conn.llen(key) == 0  # emptied before the consumers went on
        conn.rpush(key, json.dumps({"harvest_job_id": "no-such-job"}))
        deadline = time.monotonic() + 30
        while conn.llen(key) or not again.idle():
            assert time.monotonic() < deadline, again.log("gather")
            time.sleep(0.1)
    log = again.log("gather")
    assert "Harvest job does not exist: no-such-job" in log
    assert "queued-while-paused" not in log
    # ckanext-harvest 1.6.3 returns from a message naming no job without ending the database
    # transaction it opened: a set holding one is stopped, not paused (a paused process would
    # keep its locks for the tests that follow)
    assert "connections in a transaction" in log
    assert not any(again.alive().values()) and again not in CONSUMERS.sets.values()


def _state(pid: int) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
