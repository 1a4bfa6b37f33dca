"""Receiver code that checks the hub's signatures, shown on an endpoint's page.

The hub signs as Standard Webhooks does (integrations/delivery/signing.py): secret
``whsec_<base64 key>``, ``webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">``
(space-separated, one per live secret during a rotation), ``webhook-id`` and ``webhook-timestamp``.
So the official Standard Webhooks libraries verify it as they are; each snippet uses one.
They verify the raw body bytes (empty for the GET formats): re-serialised JSON would not match.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Snippet:
    key: str
    language: str
    install: str
    code: str


PYTHON = '''\
import os

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

webhook = Webhook(os.environ["WEBHOOK_SECRET"])  # the whsec_… signing secret


def verify(body: bytes, headers) -> None:
    """Raises WebhookVerificationError unless the hub sent this request.
    body: the raw request body (b"" for a GET); headers: the request's headers."""
    webhook.verify(body, dict(headers), json_parse=False)


# Flask:  verify(request.get_data(), request.headers)
# Django: verify(request.body, request.headers)
'''

NODE = '''\
import express from "express";
import { Webhook } from "standardwebhooks";

const webhook = new Webhook(process.env.WEBHOOK_SECRET); // the whsec_… signing secret
const app = express();

// express.raw keeps the body as the bytes the hub signed.
app.all("/hook", express.raw({ type: "*/*" }), (req, res) => {
  const body = Buffer.isBuffer(req.body) ? req.body.toString("utf8") : "";
  try {
    webhook.verify(body, req.headers); // throws WebhookVerificationError
  } catch (err) {
    return res.status(401).send("bad signature");
  }
  res.sendStatus(204);
});
'''

PHP = '''\
<?php
require __DIR__ . '/vendor/autoload.php';

use StandardWebhooks\\Webhook;
use StandardWebhooks\\Exception\\WebhookVerificationException;

$webhook = new Webhook(getenv('WEBHOOK_SECRET')); // the whsec_… signing secret
$body = file_get_contents('php://input');
// The library looks the headers up by their lower-case names.
$headers = array_change_key_case(getallheaders(), CASE_LOWER);
try {
    $webhook->verify($body, $headers);
} catch (WebhookVerificationException $e) {
    http_response_code(401);
    exit('bad signature');
}
http_response_code(204);
'''

GO = '''\
package main

import (
	"io"
	"net/http"
	"os"

	standardwebhooks "github.com/standard-webhooks/libraries/go"
)

func main() {
	webhook, err := standardwebhooks.NewWebhook(os.Getenv("WEBHOOK_SECRET")) // the whsec_… signing secret
	if err != nil {
		panic(err)
	}
	http.HandleFunc("/hook", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil || webhook.Verify(body, r.Header) != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	http.ListenAndServe(":8080", nil)
}
'''

SNIPPETS = (
    Snippet("python", "Python", "pip install standardwebhooks", PYTHON),
    Snippet("node", "Node.js", "npm install standardwebhooks express", NODE),
    Snippet("php", "PHP", "composer require standard-webhooks/standard-webhooks", PHP),
    Snippet("go", "Go", "go get github.com/standard-webhooks/libraries/go", GO),
)
