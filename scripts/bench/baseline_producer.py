"""The tutorial's producer (scotch.io "Build a Distributed Streaming System with Apache Kafka
and Python"), written by us following its method, for `npm run bench`: OpenCV reads the video,
each frame is encoded with cv2.imencode('.jpg') and sent as the raw message value with
kafka-python's KafkaProducer.send(topic, bytes). No key, no headers. Unlike the tutorial, there
is no 0.2 s sleep per frame: frames go as fast as this pipeline can make them.

Usage: python3 baseline_producer.py <bootstrap> <topic> <video>
Prints one JSON line: {"frames", "bytes", "startMs", "endMs"}.
"""
import json
import sys
import time

import cv2
from kafka import KafkaProducer


def main():
    bootstrap, topic, video = sys.argv[1], sys.argv[2], sys.argv[3]
    producer = KafkaProducer(bootstrap_servers=bootstrap, max_request_size=4 * 1024 * 1024)
    cap = cv2.VideoCapture(video)
    frames = 0
    size = 0
    start = time.time()
    while cap.isOpened():
        ok, frame = cap.read()
        if not ok:
            break
        ok, buf = cv2.imencode('.jpg', frame)
        if not ok:
            continue
        data = buf.tobytes()
        producer.send(topic, data)
        frames += 1
        size += len(data)
    producer.flush()
    end = time.time()
    cap.release()
    producer.close()
    print(json.dumps({"frames": frames, "bytes": size, "startMs": start * 1000, "endMs": end * 1000}), flush=True)


if __name__ == "__main__":
    main()
