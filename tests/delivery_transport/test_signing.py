"""Standard Webhooks signatures, checked by the real `standardwebhooks` verifier on a receiver."""
import base64
import time
from datetime import datetime, timezone

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from hub.catalogue import CATALOGUE
from integrations.delivery import EndpointConfig, new_signing_secret, render, send, sign, sign_request

from .conftest import LOOPBACK


def _signed_delivery(receiver, secrets, msg_id="msg_2aB3cD4eF5", timestamp=None):
    endpoint = EndpointConfig(url=receiver.url(), dialect="json", secret_token="tok")
    request = render("user_inbound", CATALOGUE["user_inbound"].sample, endpoint)
    request = sign_request(request, secrets, msg_id, timestamp or int(time.time()))
    result = send(request, timeout=5, allow_networks=LOOPBACK)
    assert result.status_code == 200
    return receiver.requests[-1]


def test_receiver_verifies_the_signature_with_standardwebhooks(receiver):
    secret = new_signing_secret()
    got = _signed_delivery(receiver, [secret])
    assert Webhook(secret).verify(got.body, got.headers) == dict(CATALOGUE["user_inbound"].sample)
    assert got.headers["webhook-id"] == "msg_2aB3cD4eF5"


def test_during_rotation_old_and_new_secret_each_verify(receiver):
    old, new = new_signing_secret(), new_signing_secret()
    got = _signed_delivery(receiver, [new, old])
    assert len(got.headers["webhook-signature"].split(" ")) == 2
    for secret in (old, new):
        Webhook(secret).verify(got.body, got.headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new_signing_secret()).verify(got.body, got.headers)


def test_a_tampered_body_fails_verification(receiver):
    secret = new_signing_secret()
    got = _signed_delivery(receiver, [secret])
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(got.body.replace(b"John", b"Joan"), got.headers)


def test_retries_keep_the_id_and_re_sign_with_the_attempts_time(receiver):
    secret = new_signing_secret()
    now = int(time.time())
    first = _signed_delivery(receiver, [secret], timestamp=now - 60)
    second = _signed_delivery(receiver, [secret], timestamp=now)
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert first.body == second.body  # frozen bytes
    assert first.headers["webhook-signature"] != second.headers["webhook-signature"]
    for got in (first, second):
        Webhook(secret).verify(got.body, got.headers)


def test_plugin_get_requests_are_signed_over_the_empty_body(receiver):
    secret = new_signing_secret()
    endpoint = EndpointConfig(url=receiver.url(), dialect="3cx-plugin-get")
    request = sign_request(render("user_inbound", CATALOGUE["user_inbound"].sample, endpoint), [secret], "msg_1",
                           int(time.time()))
    send(request, timeout=5, allow_networks=LOOPBACK)
    [got] = receiver.requests
    # verify() would also parse the body as JSON; a GET has none, so compare with its sign().
    sent_at = datetime.fromtimestamp(int(got.headers["webhook-timestamp"]), tz=timezone.utc)
    expected = Webhook(secret).sign(got.headers["webhook-id"], sent_at, "")
    assert got.headers["webhook-signature"] == expected


def test_new_signing_secret_is_whsec_and_32_random_bytes():
    secret = new_signing_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert new_signing_secret() != secret


def test_sign_matches_the_standard_webhooks_reference():
    # The example of the Standard Webhooks specification.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = b'{"test": 2432232314}'
    assert sign([secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == \
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


@pytest.mark.parametrize("secrets", [[], ["not-whsec"], ["whsec_!!!"]])
def test_sign_refuses_bad_secrets(secrets):
    with pytest.raises(ValueError):
        sign(secrets, "msg_1", 1, b"")


def test_no_secret_means_no_signature_headers():
    request = render("user_inbound", CATALOGUE["user_inbound"].sample, EndpointConfig(url="http://h/"))
    assert sign_request(request, [], "msg_1", 1) is request
