"""Type-check the ```python snippets of README.md with mypy --strict, as a user's code would be checked.

Each snippet becomes a module of its own in a temporary folder. Snippets that continue the first one (they use
`api` without making one) get a one-line prelude declaring `api: MegaApi`. `nox -s lint` runs this.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SNIPPET = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE)
PRELUDE = "from megaapi import MegaApi\n\napi: MegaApi\n"
DEFINES_API = re.compile(r"^\s*api = |as api\b", re.MULTILINE)


def snippets(markdown: str) -> list[str]:
    return SNIPPET.findall(markdown)


def module(snippet: str) -> str:
    return snippet if DEFINES_API.search(snippet) else PRELUDE + snippet


def main(paths: list[str]) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for path in paths or ["README.md"]:
            for number, snippet in enumerate(snippets((ROOT / path).read_text(encoding="utf-8")), start=1):
                name = Path(tmp) / f"{Path(path).stem.lower()}_snippet_{number}.py"
                name.write_text(module(snippet), encoding="utf-8")
                files.append(str(name))
        if not files:
            print("no ```python snippets found")
            return 1
        command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", "pyproject.toml"]
        # mypy reports the temporary file names; each one says which snippet it is (readme_snippet_3.py).
        return subprocess.run([*command, *files], cwd=ROOT, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
