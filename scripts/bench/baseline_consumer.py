"""The tutorial's consumer, written by us following its method, for `npm run bench`:
kafka-python's KafkaConsumer (no group) iterating over the topic; for each message the latency
to receipt is the receive time minus the record timestamp (set by the producer at send time).
Instead of serving an MJPEG page it only counts, so this measures Kafka transport alone.

Usage: python3 baseline_consumer.py <bootstrap> <topic> <expected frames> <idle timeout s>
Prints "ready" on stderr once assigned, then one JSON line on stdout at the end:
{"frames", "firstMs", "lastMs", "latencies": [...ms]}.
"""
import json
import sys
import time

from kafka import KafkaConsumer, TopicPartition


def main():
    bootstrap, topic = sys.argv[1], sys.argv[2]
    expected = int(sys.argv[3])
    idle = float(sys.argv[4])
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        consumer_timeout_ms=int(idle * 1000),
        fetch_max_bytes=64 * 1024 * 1024,
        max_partition_fetch_bytes=8 * 1024 * 1024,
    )
    tp = TopicPartition(topic, 0)
    consumer.assign([tp])
    consumer.seek_to_beginning(tp)
    consumer.position(tp)
    print("ready", file=sys.stderr, flush=True)
    latencies = []
    first = None
    last = None
    for msg in consumer:
        now = time.time() * 1000
        if first is None:
            first = now
        last = now
        latencies.append(now - msg.timestamp)
        if len(latencies) >= expected:
            break
    consumer.close()
    print(json.dumps({"frames": len(latencies), "firstMs": first, "lastMs": last, "latencies": latencies}), flush=True)


if __name__ == "__main__":
    main()
