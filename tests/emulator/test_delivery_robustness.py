"""Webhook delivery survives an event it cannot post, and close() never drops an event queued before it."""

from __future__ import annotations

from datetime import UTC, datetime

from megaapi.testing.delivery import WebhookDelivery


def test_an_event_that_is_not_json_is_recorded_as_failed_and_delivery_goes_on() -> None:
    delivery = WebhookDelivery()
    delivery.enqueue("http://127.0.0.1:9/hook", {"when": datetime.now(UTC)})
    delivery.enqueue("ftp://127.0.0.1/hook", {"messageType": "conversation"})
    delivery.wait(timeout=10)
    delivery.close()
    first, second = delivery.records
    assert first.error is not None
    assert first.error.startswith("TypeError")
    assert second.error == "webhook URL must be an absolute http(s) URL"


def test_the_records_keep_the_event_and_the_url_out_of_their_repr() -> None:
    delivery = WebhookDelivery()
    delivery.enqueue("ftp://127.0.0.1/hook?token=s3cr3t", {"instance_key": "megastart-Secret0"})
    delivery.wait(timeout=10)
    delivery.close()
    (record,) = delivery.records
    assert "s3cr3t" not in repr(record)
    assert "megastart-Secret0" not in repr(record)
