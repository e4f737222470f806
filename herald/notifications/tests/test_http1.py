"""The push sender's HTTP/1.1 client against a local server that answers as scripted."""

from __future__ import annotations

import asyncio

import pytest

from herald.notifications.providers import http1


class Server:
    """A loopback HTTP server: records requests, answers with the next script entry.

    An entry is the raw answer (bytes), or "close" (drop the connection
    without answering), or ("late", seconds, bytes) (answer after a wait), or
    ("eof", bytes) (answer, then close the connection).
    """

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.requests: list[tuple[int, bytes, bytes]] = []  # (connection, head, body)
        self.connections = 0
        self.server: asyncio.Server | None = None
        self.writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> Server:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self.server is not None
        for writer in self.writers:
            writer.close()
        self.server.close()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        self.connections += 1
        number = self.connections
        self.writers.append(writer)
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line.lower().startswith(b"content-length:"):
                        length = int(line.split(b":")[1])
                body = await reader.readexactly(length)
                self.requests.append((number, head, body))
                answer = self.answers.pop(0)
                if answer == "close":
                    writer.close()
                    return
                if isinstance(answer, tuple) and answer[0] == "eof":
                    writer.write(answer[1])
                    await writer.drain()
                    writer.close()
                    return
                if isinstance(answer, tuple):
                    await asyncio.sleep(answer[1])
                    answer = answer[2]
                writer.write(answer)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            writer.close()


CREATED = b"HTTP/1.1 201 Created\r\nLocation: /m/1\r\nContent-Length: 0\r\n\r\n"


def run(coro):
    return asyncio.run(coro)


def test_requests_to_one_push_service_share_a_kept_alive_connection():
    async def scenario():
        async with Server(CREATED, CREATED, CREATED) as server:
            client = http1.Client()
            statuses = [
                (
                    await client.post(
                        f"{server.url}/push/abc?x=1",
                        {"TTL": "60", "Topic": "article-1"},
                        b"secret-%d" % i,
                    )
                ).status
                for i in range(3)
            ]
            client.close()
            return server, statuses

    server, statuses = run(scenario())

    assert statuses == [201, 201, 201]
    assert server.connections == 1
    number, head, body = server.requests[0]
    lines = head.decode().split("\r\n")
    assert lines[0] == "POST /push/abc?x=1 HTTP/1.1"
    assert f"Host: {server.url.removeprefix('http://')}" in lines
    assert "TTL: 60" in lines
    assert "Topic: article-1" in lines
    assert "Content-Length: 8" in lines
    assert body == b"secret-0"
    assert [r[2] for r in server.requests] == [b"secret-0", b"secret-1", b"secret-2"]


def test_a_chunked_answer_is_read_whole_and_its_headers_kept():
    chunked = (
        b"HTTP/1.1 429 Too Many Requests\r\nRetry-After: 120\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
        b"5\r\nslow \r\n4;x=y\r\ndown\r\n0\r\nX-Trailer: 1\r\n\r\n"
    )

    async def scenario():
        async with Server(chunked, CREATED) as server:
            client = http1.Client()
            first = await client.post(f"{server.url}/push/a", {}, b"1")
            second = await client.post(f"{server.url}/push/a", {}, b"2")
            client.close()
            return server, first, second

    server, first, second = run(scenario())

    assert (first.status, first.headers["retry-after"]) == (429, "120")
    assert second.status == 201  # the chunked body did not leak into this answer
    assert server.connections == 1


def test_connection_close_and_an_answer_ended_by_eof_are_not_reused():
    until_eof = ("eof", b"HTTP/1.1 500 Oops\r\n\r\nno length")
    closing = b"HTTP/1.1 410 Gone\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"

    async def scenario():
        async with Server(closing, until_eof, CREATED) as server:
            client = http1.Client()
            gone = await client.post(f"{server.url}/push/a", {}, b"1")
            server_error = await client.post(f"{server.url}/push/a", {}, b"2")
            created = await client.post(f"{server.url}/push/a", {}, b"3")
            client.close()
            return server, [gone.status, server_error.status, created.status]

    server, statuses = run(scenario())

    assert statuses == [410, 500, 201]
    assert server.connections == 3


def test_a_connection_the_server_dropped_while_idle_is_not_used_again():
    async def scenario():
        async with Server(CREATED, CREATED) as server:
            client = http1.Client()
            await client.post(f"{server.url}/push/a", {}, b"1")
            for writer in server.writers:  # the server ends the idle connection
                writer.close()
            await asyncio.sleep(0.05)
            second = await client.post(f"{server.url}/push/a", {}, b"2")
            client.close()
            return server, second.status

    server, status = run(scenario())

    assert status == 201
    assert server.connections == 2


def test_a_request_cut_by_its_timeout_does_not_leave_its_answer_for_the_next():
    late = ("late", 0.5, b"HTTP/1.1 410 Gone\r\nContent-Length: 0\r\n\r\n")

    async def scenario():
        async with Server(late, CREATED) as server:
            client = http1.Client()
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.1):
                    await client.post(f"{server.url}/push/a", {}, b"1")
            second = await client.post(f"{server.url}/push/b", {}, b"2")
            client.close()
            return server, second.status

    server, status = run(scenario())

    assert status == 201  # not the 410 meant for the first request
    assert server.connections == 2


def test_an_answer_that_is_not_http_is_a_protocol_error():
    async def scenario():
        async with Server(b"SSH-2.0-OpenSSH\r\n\r\n", "close") as server:
            client = http1.Client()
            with pytest.raises(http1.ProtocolError):
                await client.post(f"{server.url}/push/a", {}, b"1")
            with pytest.raises(http1.ProtocolError):
                await client.post(f"{server.url}/push/a", {}, b"2")
            client.close()

    run(scenario())


def test_targets_are_encoded_and_header_injection_is_refused():
    # urlsplit drops line breaks; a space is encoded: one request line stays one.
    assert http1.target("https://push.example/w/a b\r\nX: y").path == "/w/a%20bX:%20y"
    to = http1.target("https://user@Push.Example:8443/p?q=1")
    assert (to.host, to.port, to.authority, to.path) == (
        "push.example",
        8443,
        "Push.Example:8443",
        "/p?q=1",
    )
    with pytest.raises(ValueError):
        http1.target("ftp://push.example/p")

    async def scenario():
        client = http1.Client()
        with pytest.raises(ValueError):
            await client.post("http://127.0.0.1:9/p", {"Topic": "a\r\nX: y"}, b"")

    run(scenario())


def _self_signed(tmp_path):
    """A certificate for 127.0.0.1 and its key, as PEM files."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "push.test")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


def test_https_verifies_the_push_service_and_keeps_its_connection(tmp_path):
    import ssl

    cert_path, key_path = _self_signed(tmp_path)
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_context.load_cert_chain(cert_path, key_path)
    trusting = ssl.create_default_context(cafile=str(cert_path))

    async def scenario():
        server = Server(CREATED, CREATED)
        server.server = await asyncio.start_server(
            server._serve, "127.0.0.1", 0, ssl=server_context
        )
        port = server.server.sockets[0].getsockname()[1]
        url = f"https://127.0.0.1:{port}/push/a"
        try:
            # a client that does not trust the certificate refuses to talk
            with pytest.raises(ssl.SSLError):
                await http1.Client().post(url, {}, b"0")
            client = http1.Client(ssl_context=trusting)
            statuses = [(await client.post(url, {}, b"%d" % i)).status for i in (1, 2)]
            client.close()
        finally:
            for writer in server.writers:
                writer.close()
            server.server.close()
        return server, statuses

    server, statuses = run(scenario())

    assert statuses == [201, 201]
    assert [r[2] for r in server.requests] == [b"1", b"2"]
    assert len({r[0] for r in server.requests}) == 1  # one kept-alive connection
