"""Prove that mypy refuses a wrong method definition: a reply model that is not the declared return type, and an
argument the operation does not take. `nox -s lint` runs it; it fails if either mistake type-checks.

Each case is a small namespace method written to a temporary folder and checked with mypy's API in `--strict`
mode, against the installed package; the right definition is checked too, so a broken set-up cannot pass.
"""

from __future__ import annotations

import sys
import tempfile
import textwrap
from pathlib import Path

from mypy import api

METHOD = """
from __future__ import annotations

from megaapi_client import operation_table as wire
from megaapi_client.models import StatusResponse, WebhookResponse

from megaapi.operations import Call, Namespace, R, endpoint


class Probe(Namespace[R]):
    @endpoint
    def get_webhook(self) -> Call[WebhookResponse]:
        return Call({request}, {model})
"""
# (request, reply model, the mypy error code expected; None: the definition is right and must type-check)
CASES = {
    "the right definition": ("wire.get_webhook()", "WebhookResponse", None),
    "a reply model that is not the declared return type": ("wire.get_webhook()", "StatusResponse", "arg-type"),
    "an argument the operation does not take": ("wire.check_number(jidd='1')", "WebhookResponse", "call-arg"),
}


def main() -> int:
    failures = []
    with tempfile.TemporaryDirectory() as tmp:
        for name, (request, model, code) in CASES.items():
            module = Path(tmp) / "probe.py"
            module.write_text(textwrap.dedent(METHOD).format(request=request, model=model), encoding="utf-8")
            out, _, status = api.run(["--strict", "--no-incremental", str(module)])
            if code is None and status != 0:
                failures.append(f"mypy refuses {name}:\n{out}")
            if code is not None and (status == 0 or f"[{code}]" not in out):
                failures.append(f"mypy accepts {name}:\n{out}")
    for failure in failures:
        print(failure)
    if not failures:
        print("mypy refuses a wrong reply model and an unknown argument in a method definition")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
