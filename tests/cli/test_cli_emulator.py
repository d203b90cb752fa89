"""`megaapi emulator` serves the emulator and its control API, which a bot in any language can drive over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx


def test_the_emulator_command_serves_instances_and_the_control_api() -> None:
    command = [sys.executable, "-m", "megaapi.cli", "emulator", "--port", "0", "--instances", "2", "--manual-acks"]
    command.append("--json")
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as served:
        try:
            assert served.stdout is not None
            details = json.loads(served.stdout.readline())
            admin = {"Authorization": f"Bearer {details['admin_token']}"}
            first = details["instances"][0]
            user = {"Authorization": f"Bearer {first['token']}"}
            with httpx.Client(base_url=details["base_url"], timeout=10) as http:
                listed = http.get("/control/instances", headers=admin).json()["instances"]
                assert [i["key"] for i in listed] == [i["instance_key"] for i in details["instances"]]
                assert http.get(details["control_spec_url"]).text.startswith("openapi: 3.1.0")
                # A contact writes; the bot (here: curl-like calls) answers through the Mega-api routes.
                inbound = {"from": "5511988887777", "text": "Oi"}
                event = http.post(
                    f"/control/instances/{first['instance_key']}/inbound/text", headers=admin, json=inbound
                )
                assert event.json()["message"]["conversation"] == "Oi"
                reply = {"messageData": {"to": "5511988887777", "text": "Olá! Como posso ajudar?"}}
                assert http.post(f"/rest/sendMessage/{first['instance_key']}/text", headers=user, json=reply).is_success
                sent = http.get(f"/control/instances/{first['instance_key']}/sent", headers=admin).json()["messages"]
                assert [m["message"]["extendedTextMessage"]["text"] for m in sent] == ["Olá! Como posso ajudar?"]
                # With --manual-acks, the test decides when the customer reads it.
                read = {"messageId": sent[0]["key"]["id"], "status": 4}
                assert http.post(
                    f"/control/instances/{first['instance_key']}/acks", headers=admin, json=read
                ).is_success
                events = http.get(f"/control/instances/{first['instance_key']}/events", headers=admin).json()["events"]
                assert [e["update"] for e in events if e["messageType"] == "message.ack"] == [{"status": 4}]
        finally:
            served.terminate()
            served.wait(timeout=10)


def test_the_emulator_port_in_use_is_one_clear_line() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = subprocess.run(
            [sys.executable, "-m", "megaapi.cli", "emulator", "--port", port],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: cannot listen on 127.0.0.1:{port}")
