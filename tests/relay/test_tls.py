"""A relay off this machine is reached over TLS: a copy and a relay on a tls:// URL, the
server's certificate checked against `[relay] ca_file` (a private CA, made here)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.relay.conftest import Copy, make_relay, relay_config
from tests.waiting import eventually
from triage_tui.relay.connect import connect
from triage_tui.relay.names import PATH_KEY
from triage_tui.relay.server import NatsServer


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])


def make_certificates(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1 signed by it: (ca, cert, key) files."""
    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(_name("triage-tui test CA"))
        .issuer_name(_name("triage-tui test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name("127.0.0.1"))
        .issuer_name(ca.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .sign(ca_key, hashes.SHA256())
    )
    folder.mkdir(parents=True, exist_ok=True)
    paths = folder / "ca.pem", folder / "server.pem", folder / "server-key.pem"
    paths[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths


async def test_a_relay_and_a_copy_over_tls_with_a_private_ca(strict, tmp_path, running):
    ca, cert, key = make_certificates(tmp_path / "certs")
    with NatsServer(tmp_path / "nats", tls={"cert_file": str(cert), "key_file": str(key)}) as server:
        assert server.url.startswith("tls://")
        config = relay_config(strict.url, server.url, ca_file=str(ca))
        relay = make_relay(running, config, tmp_path / "relay", "relay-tls")
        running.start(relay.run)
        await eventually(lambda: relay.leading.is_set() and relay.store.get("cursor:zendesk"), timeout=20)
        copy = Copy(running, config, tmp_path / "copy")
        await eventually(lambda: copy.store.sync_state("zendesk").get(PATH_KEY) == "relay", timeout=20)
        await eventually(lambda: len(copy.store.unsolved()) == len(relay.store.unsolved()), timeout=20)

        # Without the CA the server's certificate is not trusted: no connection at all.
        with pytest.raises(Exception, match="CERTIFICATE_VERIFY_FAILED|certificate verify failed|no servers"):
            link = await connect(relay_config(strict.url, server.url).relay, None, name="untrusting")
            await link.close()
        await running.close()
