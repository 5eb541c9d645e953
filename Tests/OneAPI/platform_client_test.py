"""Clickatell's own Python client for its Platform API (PyPI clickatell-platform 2.0.1, unmodified) against this
service (issue 18): its REST transport sends through POST /messages and reads the answer. The client only speaks
https to its `endpoint`, so the test points that endpoint at a TLS front of its own on loopback (a self-signed
certificate that httplib2 is told to trust through HTTPLIB2_CA_CERTS), which relays to the service. Run by
scripts/platform-client-test against a live `transact serve`."""
import os
import socket
import ssl
import sys
import threading

SERVICE = os.environ["PLATFORM_SERVICE_PORT"]
CERT = os.environ["PLATFORM_CERT"]
KEY = os.environ["PLATFORM_KEY"]
API_KEY = os.environ["PLATFORM_API_KEY"]

failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def relay(source, target):
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            target.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, target):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def tls_front():
    """Accepts TLS on a free loopback port and relays each connection, in clear, to the service."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(CERT, KEY)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)

    def serve():
        while True:
            client, _ = listener.accept()
            try:
                secure = context.wrap_socket(client, server_side=True)
            except (ssl.SSLError, OSError):
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", int(SERVICE)))
            threading.Thread(target=relay, args=(secure, upstream), daemon=True).start()
            threading.Thread(target=relay, args=(upstream, secure), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    return listener.getsockname()[1]


os.environ["HTTPLIB2_CA_CERTS"] = CERT
import clickatell  # noqa: E402  (after HTTPLIB2_CA_CERTS: httplib2 reads it when it is imported)
from clickatell.rest import Rest  # noqa: E402

# The client's host, pointed at the service: its one setting.
clickatell.Transport.endpoint = "127.0.0.1:%d" % tls_front()
client = Rest(API_KEY)
answer = client.sendMessage(to=["27831234567", "27831234568"], message="Hello from Clickatell's own client")
check(answer.get("status") == "202", "POST /messages answers 202 (%r)" % answer.get("status"))
messages = answer.get("messages") or []
check(len(messages) == 2 and all(m.get("accepted") for m in messages), "both messages accepted (%r)" % messages)
check(all(m.get("apiMessageId") for m in messages), "each has its apiMessageId")
check(answer.get("error") is None, "no error (%r)" % answer.get("error"))
refused = client.sendMessage(to="12", message="Nowhere")
check((refused.get("messages") or [{}])[0].get("error", {}).get("code") == 105, "a bad number is refused in its line (%r)" % refused)
wrong = Rest("not-the-key").sendMessage(to="27831234567", message="x")
check(wrong.get("status") == "401" and (wrong.get("error") or {}).get("code") == 1, "a wrong key is 401 (%r)" % wrong)

if failures:
    print("%d check(s) failed" % len(failures))
    sys.exit(1)
print("every check passed")
for message in messages:
    print("apiMessageId " + message["apiMessageId"])
