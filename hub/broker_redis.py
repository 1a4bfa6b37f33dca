"""kombu's Redis transport with one fix: a worker survives a Redis restart under load.

With kombu 5.7.0 / celery 5.7.0 (the newest releases) a threads-pool worker that loses Redis
while it holds unacknowledged messages exits with ``CRITICAL Unrecoverable error:
AttributeError("'NoneType' object has no attribute 'hostname'")`` (reproduced by
tests/chaos/test_broker_restart.py). On the connection error celery first ``collect()``s the
connection: kombu closes its channels until the first one fails (its restore of unacknowledged
messages needs the Redis that is gone), then detaches the transport (``transport.client = None``)
with the other channels still open. Celery then ``close()``s the connection, which closes its
default channel; that channel's restore asks for a new Redis client, and building the client's
parameters reads ``transport.client.hostname``: AttributeError, which nothing treats as a
connection error, so it escapes the consumer and stops the worker. (The same path as
celery/kombu#970, at shutdown, in 2018.)

Here a channel of a detached transport raises Redis's ConnectionError instead: kombu and celery
ignore connection errors while closing, and the worker reconnects. The restore that fails is
harmless twice over: Redis was unreachable anyway, and kombu restores unacknowledged messages
it still holds after the visibility timeout, while the hub's sweeper re-enqueues every due
delivery from the database (the broker only wakes workers up).

Installed by hub/celery.py as the transport of redis:// and rediss:// URLs.
"""
from kombu.transport import redis as kombu_redis
from redis.exceptions import ConnectionError as RedisConnectionError


class Channel(kombu_redis.Channel):
    def _connparams(self, asynchronous=False):
        if self.connection.client is None:
            raise RedisConnectionError("the broker connection of this channel is closed")
        return super()._connparams(asynchronous=asynchronous)


class Transport(kombu_redis.Transport):
    Channel = Channel
