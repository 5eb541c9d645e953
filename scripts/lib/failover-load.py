"""Reserve and Transact calls from several threads for a fixed time, through whatever happens to the database.

Usage: failover-load.py URL TOKEN SECONDS THREADS OUT. Each call is one JSON line in OUT: its start and end (Unix
seconds), HTTP status, responseCode and raasTxnRef. Every call has a clientTxnRef of its own; a call that fails
(an HTTP error, a refused connection) is written with status 0 and is not repeated: only what the service
acknowledged counts.
"""
import json
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid

url, token, seconds, threads, out = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
deadline = time.time() + seconds
lock = threading.Lock()
lines = []


def call():
    body = {
        "clientId": 200, "clientTxnRef": "ha-" + uuid.uuid4().hex[:20], "channelId": 7, "channelName": "USSD",
        "channelSessionId": "s1", "productId": 719, "purchaseAmount": 10000, "feeAmount": 200, "currencyCode": "ZAR",
        "fundingSourceId": 3, "sourceIdentifier": "27831234567", "targetIdentifier": "4001234567",
        "timestamp": "2026-12-03T10:00:00Z",
    }
    request = urllib.request.Request(
        url + "/reserveAndTransact/4.0", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": "Bearer " + token, "X-API-Key": "demo-api-key-change-me", "Content-Type": "application/json"})
    started = time.time()
    status, answer = 0, {}
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, answer = response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        status = error.code
        try:
            answer = json.loads(error.read() or b"{}")
        except ValueError:
            answer = {}
    except Exception:  # a refused or dropped connection: not acknowledged
        pass
    return {"start": started, "end": time.time(), "status": status, "code": answer.get("responseCode"),
            "raasTxnRef": answer.get("raasTxnRef"), "clientTxnRef": body["clientTxnRef"]}


def worker():
    while time.time() < deadline:
        line = call()
        with lock:
            lines.append(line)
        if line["status"] == 0:
            time.sleep(0.05)


pool = [threading.Thread(target=worker) for _ in range(threads)]
for thread in pool:
    thread.start()
for thread in pool:
    thread.join()
with open(out, "w") as file:
    for line in lines:
        file.write(json.dumps(line) + "\n")
