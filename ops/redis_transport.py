"""kombu's Redis transport with a channel whose close() survives a dead connection.

Celery 5.7.0 + kombu 5.7.0: when Redis goes away while a worker waits on BRPOP and holds
unacknowledged messages (every countdown task, so the counts worker nearly always), the
worker exits with `Unrecoverable error: AttributeError("'NoneType' object has no attribute
'hostname'")`. kombu's Channel.close() first reads the pending BRPOP reply; with Redis gone
that read raises, so close() stops before marking the channel closed; Celery 5.7 then closes
the connection a second time, after Connection.collect() dropped the transport's client, and
restoring the unacknowledged messages fails on `None.hostname`, which Celery does not treat
as a connection error. Celery 5.6.3 did not close twice. Swallowing the failed read lets the
first close() finish, so the second is a no-op and the worker reconnects as designed.
(Reproduced and checked with 3 outages of 20 s under load; tests/faults/test_redis_outage.py.)
Drop this when a Celery or kombu release fixes it.
"""

from kombu.transport import redis as kombu_redis


class Channel(kombu_redis.Channel):
    def close(self):
        if self._in_poll:
            try:
                self._brpop_read()
            except (kombu_redis.Empty, *self.connection_errors):
                pass  # the pending BRPOP went with its connection
        super().close()


class Transport(kombu_redis.Transport):
    Channel = Channel
