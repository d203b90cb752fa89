"""`nox -s demo`: serve the emulator and run examples/quickstart.py against it, as a new user would.

The emulator starts with an instance that no phone has linked yet. This script plays the two people the quickstart
cannot: the phone owner (the emulator links the phone when the quickstart polls after asking for a pairing code) and
a customer, who writes to the linked number once the quickstart's webhook is configured.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from megaapi.testing import Emulator, serve

ROOT = Path(__file__).resolve().parent.parent
CUSTOMER = "5511988887777"


def customer_writes(emulator: Emulator, stop: threading.Event) -> None:
    while not stop.is_set():
        if emulator.instance().webhook_enabled:
            emulator.receive_text(CUSTOMER, "Oi! Vocês entregam no sábado?", push_name="Maria")
            return
        time.sleep(0.05)


def main() -> int:
    with Emulator(seed="demo") as emulator:
        emulator.add_instance(connected=False, push_name="Loja Exemplo")
        with serve(emulator) as served:
            stop = threading.Event()
            customer = threading.Thread(target=customer_writes, args=(emulator, stop), daemon=True)
            customer.start()
            env = {
                **os.environ,
                "MEGAAPI_BASE_URL": served.base_url,
                "MEGAAPI_INSTANCE_KEY": served.instance_key,
                "MEGAAPI_TOKEN": served.token,
                "MEGAAPI_DEMO_TO": CUSTOMER,
            }
            for name in ("MEGAAPI_HOST", "MEGAAPI_DEMO_WEBHOOK_URL"):
                env.pop(name, None)
            print(f"Mega-api emulator on {served.base_url}\n", flush=True)
            result = subprocess.run([sys.executable, str(ROOT / "examples" / "quickstart.py")], env=env, check=False)
            stop.set()
            customer.join()
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
