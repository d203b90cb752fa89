"""Write the published forms of the description: `OUT/openapi.yaml` (as maintained) and `OUT/openapi.json`."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def publish(out: Path) -> None:
    source = ROOT / "openapi.yaml"
    shutil.copy(source, out / "openapi.yaml")
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    (out / "openapi.json").write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: publish_spec.py OUT")
    publish(Path(sys.argv[1]))
