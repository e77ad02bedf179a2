"""HttpClient.send: POST and PUT with the client's bounds, repeated only where it is safe."""

from __future__ import annotations

import socket

import pytest

from chatservers import WEBHOOK_PATH, ChatServer
from papercli.errors import NetworkError
from papercli.sources.http import HttpClient
from papercli.sources.outbound import MaybeSent, retry_after_of

BODY = b'{"text": "see https://arxiv.org/abs/2606.00001"}'


@pytest.fixture
def chat() -> ChatServer:
    with ChatServer() as chat:
        yield chat


def client(waits: list[float], retries: int = 3, timeout: float = 2.0) -> HttpClient:
    return HttpClient(timeout=timeout, retries=retries, sleep=waits.append, jitter=lambda: 0.0)


def test_a_429_is_waited_out_as_retry_after_says_then_sent(chat: ChatServer) -> None:
    chat.webhook.faults = ["429"]
    waits: list[float] = []
    with client(waits) as http:
        reply = http.send("POST", chat.url + WEBHOOK_PATH, BODY, target="hook")
    assert reply.status == 200
    assert waits == [1.0]
    assert len(chat.webhook.requests) == 2 and len(chat.webhook.messages) == 1


def test_a_500_then_success_is_retried_with_backoff(chat: ChatServer) -> None:
    chat.webhook.faults = ["500", "500"]
    waits: list[float] = []
    with client(waits) as http:
        assert http.send("POST", chat.url + WEBHOOK_PATH, BODY, target="hook").status == 200
    assert waits == [1.0, 2.0]


def test_a_lost_reply_is_not_repeated_unless_the_server_drops_repeats(chat: ChatServer) -> None:
    chat.webhook.faults = ["drop-after"]
    waits: list[float] = []
    with client(waits) as http, pytest.raises(MaybeSent) as caught:
        http.send("POST", chat.url + WEBHOOK_PATH, BODY, target="hook")
    assert "after the request was sent; it may have arrived" in caught.value.message
    assert len(chat.webhook.requests) == 1 and waits == []
    chat.webhook.faults = ["drop-after"]
    headers = {"Idempotency-Key": "k-1"}
    with client(waits) as http:
        reply = http.send(
            "POST", chat.url + WEBHOOK_PATH, BODY, target="hook", headers=headers, repeatable=True
        )
    assert reply.status == 200
    assert len(chat.webhook.requests) == 3
    assert len(chat.webhook.messages) == 2  # the first test's message, and this one once


def test_a_retry_after_longer_than_papercli_waits_fails_at_once(chat: ChatServer) -> None:
    chat.webhook.faults = ["429:600"]
    waits: list[float] = []
    with client(waits) as http, pytest.raises(NetworkError) as caught:
        http.send("POST", chat.url + WEBHOOK_PATH, BODY, target="hook")
    assert "asks to wait 600 s, longer than papercli waits" in caught.value.message
    assert waits == [] and len(chat.webhook.requests) == 1


def test_retry_after_in_decimal_seconds_as_discord_sends_it() -> None:
    assert retry_after_of({"retry-after": "0.5"}, 0.0) == 0.5
    assert retry_after_of({"retry-after": "120"}, 0.0) == 120.0
    assert retry_after_of({"retry-after": "soon"}, 0.0) is None
    assert retry_after_of({"retry-after": "nan"}, 0.0) is None
    assert retry_after_of({}, 0.0) is None


def test_a_refused_connection_names_the_target_never_the_url() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/services/T/B/s3cr3t"
    waits: list[float] = []
    with client(waits) as http, pytest.raises(NetworkError) as caught:
        http.send("POST", url, BODY, target="Slack channel lab")
    text = caught.value.message + str(caught.value.hint) + str(caught.value.url)
    assert "Slack channel lab refused the connection after 3 attempts" in text
    assert "s3cr3t" not in text and str(port) not in text
    assert len(waits) == 2


@pytest.mark.parametrize(("fault", "status"), [("504", 504), ("", 404)])
def test_replies_that_may_mean_it_was_done_are_returned_not_repeated(
    fault: str, status: int, chat: ChatServer
) -> None:
    chat.webhook.faults = [fault]
    path = WEBHOOK_PATH if fault else "/nowhere"
    waits: list[float] = []
    with client(waits) as http:
        reply = http.send("POST", chat.url + path, BODY, target="hook")
    assert reply.status == status and reply.url == "" and waits == []


def test_a_reply_dripped_a_byte_at_a_time_cannot_stretch_a_delivery() -> None:
    """httpx's timeouts are per read: a server sending one byte every 0.2 s would keep a
    POST waiting for minutes. The attempt's deadline (network.timeout) ends it."""
    import threading
    import time

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    stop = threading.Event()

    def drip() -> None:
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            reply = b"HTTP/1.1 200 OK\r\nContent-Length: 400\r\n\r\n" + b"x" * 400
            for byte in reply:  # 440 bytes at 0.2 s: 88 s if nothing stopped it
                if stop.wait(0.2):
                    return
                try:
                    conn.sendall(bytes([byte]))
                except OSError:
                    return

    thread = threading.Thread(target=drip, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}/hook/s3cr3t"
    started = time.monotonic()
    try:
        with client([], retries=1, timeout=1.0) as http, pytest.raises(MaybeSent) as caught:
            http.send("POST", url, BODY, target="webhook lab")
    finally:
        stop.set()
        server.close()
    assert time.monotonic() - started < 30  # far below the 88 s the drip would take
    assert caught.value.message.startswith("webhook lab did not answer in time")
    assert "s3cr3t" not in caught.value.message
