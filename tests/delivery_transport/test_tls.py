"""HTTPS to a pinned address still verifies the certificate and sends SNI for the host name."""
import datetime
import ssl

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from integrations.delivery import RenderedRequest, Transport, send

from .conftest import LOOPBACK
from .receivers import Receiver


def _cert(name, issuer_key=None, issuer_name=None, ca=False):
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name or subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1)).not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if not ca:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
    cert = builder.sign(issuer_key or key, hashes.SHA256())
    return key, cert


def _pem(obj):
    if isinstance(obj, x509.Certificate):
        return obj.public_bytes(serialization.Encoding.PEM)
    return obj.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


@pytest.fixture
def tls_receiver(tmp_path):
    ca_key, ca = _cert("hub test CA", ca=True)
    key, cert = _cert("tls.example", ca_key, ca.subject)
    (tmp_path / "ca.pem").write_bytes(_pem(ca))
    (tmp_path / "server.pem").write_bytes(_pem(cert) + _pem(key))
    seen_sni = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "server.pem")
    context.sni_callback = lambda sock, name, ctx: seen_sni.append(name)
    receiver = Receiver()
    receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
    with receiver:
        yield receiver, str(tmp_path / "ca.pem"), seen_sni


def test_https_verifies_the_hostname_on_the_pinned_address(tls_receiver, fake_dns):
    receiver, ca_path, seen_sni = tls_receiver
    answers, _ = fake_dns
    answers["tls.example"] = [["127.0.0.1"]]
    request = RenderedRequest("POST", f"https://tls.example:{receiver.port}/hook", {}, b"{}")
    result = send(request, timeout=5, allow_networks=LOOPBACK, transport=Transport(verify=ca_path))
    assert result.status_code == 200, result.error_message
    assert result.resolved_ip == "127.0.0.1"
    assert seen_sni == ["tls.example"]
    assert receiver.requests[0].headers["host"] == f"tls.example:{receiver.port}"


def test_a_certificate_for_another_name_is_a_tls_error(tls_receiver, fake_dns):
    receiver, ca_path, _ = tls_receiver
    answers, _ = fake_dns
    answers["other.example"] = [["127.0.0.1"]]
    request = RenderedRequest("POST", f"https://other.example:{receiver.port}/hook", {}, b"{}")
    result = send(request, timeout=5, allow_networks=LOOPBACK, transport=Transport(verify=ca_path))
    assert result.status_code is None and result.error_class == "tls"
    assert receiver.requests == []


def test_an_untrusted_certificate_is_a_tls_error(tls_receiver, fake_dns):
    receiver, _, _ = tls_receiver
    answers, _ = fake_dns
    answers["tls.example"] = [["127.0.0.1"]]
    request = RenderedRequest("POST", f"https://tls.example:{receiver.port}/hook", {}, b"{}")
    result = send(request, timeout=5, allow_networks=LOOPBACK, transport=Transport())
    assert result.error_class == "tls"
