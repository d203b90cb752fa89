"""Generate clients from openapi.yaml with third-party generators and build them (`nox -s languages`).

For each generator: every path operation is present, the generator prints no warning outside
allowed-warnings.yaml, the generated code builds, and a short usage program in that language (instance status,
send a text, parse a webhook payload) builds too; where the language runs here, the program also parses every
webhook fixture into the class the spec's discriminator names. `--only NAME` runs some of them, `--keep DIR` keeps
the generated code.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SPEC = ROOT / "openapi.yaml"
TOOLS_BIN = ROOT / "tools" / "node_modules" / ".bin"
# Debian's packaged Go libraries (golang-gopkg-validator.v2-dev provides the one module the Go client imports).
DEBIAN_GOPATH = Path("/usr/share/gocode")


def _spec() -> dict[str, Any]:
    with SPEC.open(encoding="utf-8") as handle:
        loaded: dict[str, Any] = yaml.safe_load(handle)
    return loaded


OPERATION_IDS = sorted(
    operation["operationId"]
    for item in _spec()["paths"].values()
    for method, operation in item.items()
    if method in ("get", "put", "post", "delete", "patch")
)


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


@dataclass(frozen=True)
class Allowed:
    generator: str
    pattern: re.Pattern[str]
    why: str


def _allowed() -> list[Allowed]:
    with (HERE / "allowed-warnings.yaml").open(encoding="utf-8") as handle:
        entries = yaml.safe_load(handle)
    return [Allowed(entry["generator"], re.compile(entry["match"]), entry["why"]) for entry in entries]


ALLOWED = _allowed()


class CheckFailed(Exception):
    pass


def run(command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command; its combined output, or CheckFailed with that output."""
    done = subprocess.run(
        command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False
    )
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise CheckFailed(f"`{' '.join(command)}` failed ({done.returncode}):\n{output[-6000:]}")
    return output


def check_warnings(generators: Iterable[str], lines: Iterable[str]) -> None:
    names = set(generators)
    unexpected = [
        line for line in lines if not any(entry.generator in names and entry.pattern.search(line) for entry in ALLOWED)
    ]
    if unexpected:
        raise CheckFailed("warnings not in scripts/languages/allowed-warnings.yaml:\n  " + "\n  ".join(unexpected))


def check_operations(found: set[str], expected: Iterable[str]) -> None:
    missing = sorted(set(expected) - found)
    if missing:
        raise CheckFailed(f"operations missing from the generated client: {missing}")


def names_in(files: Iterable[Path], pattern: str) -> set[str]:
    regex = re.compile(pattern, re.MULTILINE)
    return {name for path in files for name in regex.findall(path.read_text(encoding="utf-8"))}


# ------------------------------------------------------------------------------------------ openapi-generator


def openapi_generator(target: str, out: Path, *properties: str) -> None:
    command = ["openapi-generator-cli", "generate", "-i", str(SPEC), "-g", target, "-o", str(out)]
    if properties:
        command += ["--additional-properties", ",".join(properties)]
    output = run(command)
    check_warnings(
        ["openapi-generator", target], (line for line in output.splitlines() if " WARN " in line or "ERROR" in line)
    )


def check_go(work: Path) -> None:
    # GOPATH mode, so the build takes its one dependency from Debian and never reaches for a module proxy.
    package = work / "src" / "megaapi"
    openapi_generator("go", package, "packageName=megaapi", "withGoMod=false", "useOneOfDiscriminatorLookup=true")
    shutil.rmtree(package / "test")
    check_operations(
        {
            name[0].lower() + name[1:]
            for name in names_in(package.glob("api_*.go"), r"^func \(a \*\w+APIService\) (\w+)\(ctx")
        },
        OPERATION_IDS,
    )
    usage = work / "src" / "usage"
    usage.mkdir()
    shutil.copy(HERE / "go" / "usage.go", usage / "usage.go")
    env = {"GO111MODULE": "off", "GOPATH": f"{work}:{DEBIAN_GOPATH}", "GOCACHE": str(work / "gocache"), "GOFLAGS": ""}
    for step in ("build", "vet"):
        run(["go", step, "megaapi", "usage"], cwd=work, env=env)
    run(["go", "run", "usage"], cwd=work, env=env)


def check_php(work: Path) -> None:
    client = work / "php"
    openapi_generator("php", client, "invokerPackage=MegaApi", "srcBasePath=lib")
    check_operations(names_in((client / "lib" / "Api").glob("*.php"), r"public function (\w+)\("), OPERATION_IDS)
    files = sorted(str(path) for path in client.rglob("*.php"))
    for start in range(0, len(files), 50):  # one php process per file would dominate the run time
        batch = files[start : start + 50]
        run(["sh", "-c", 'for f in "$@"; do php -l "$f" >/dev/null || exit 1; done', "php-lint", *batch])
    shutil.copy(HERE / "php" / "usage.php", client / "usage.php")
    run(["php", "-l", "usage.php"], cwd=client)
    run(["php", "usage.php"], cwd=client, env={"FIXTURES": str(ROOT / "tests" / "fixtures" / "webhooks")})


def _tsc(project: Path) -> None:
    run([str(TOOLS_BIN / "tsc"), "--project", str(project / "tsconfig.json")])


def check_typescript_fetch(work: Path) -> None:
    project = work / "typescript-fetch"
    openapi_generator("typescript-fetch", project / "generated")
    check_operations(names_in((project / "generated" / "apis").glob("*.ts"), r"^    async (\w+)\("), OPERATION_IDS)
    for name in ("usage.ts", "tsconfig.json"):
        shutil.copy(HERE / "typescript-fetch" / name, project / name)
    _tsc(project)


def check_python(work: Path) -> None:
    client = work / "python"
    openapi_generator("python", client, "packageName=megaapi_oag")
    check_operations(
        names_in((client / "megaapi_oag" / "api").glob("*.py"), r"^    def (\w+)\("), map(snake, OPERATION_IDS)
    )
    run([sys.executable, str(HERE / "python" / "oag_usage.py")], env={"PYTHONPATH": str(client)})


# ------------------------------------------------------------------------------------------ other generators


def check_hey_api(work: Path) -> None:
    project = work / "hey-api"
    output = run([str(TOOLS_BIN / "openapi-ts"), "--input", str(SPEC), "--output", str(project / "generated")])
    check_warnings(["hey-api"], (line for line in output.splitlines() if re.search(r"warn|error", line, re.I)))
    check_operations(names_in([project / "generated" / "sdk.gen.ts"], r"^export const (\w+) = "), OPERATION_IDS)
    for name in ("usage.ts", "tsconfig.json"):
        shutil.copy(HERE / "hey-api" / name, project / name)
    _tsc(project)


def check_datamodel(work: Path) -> None:
    project = work / "datamodel"
    project.mkdir()
    output = run(
        [
            "datamodel-codegen", "--input", str(SPEC), "--input-file-type", "openapi",
            "--output", str(project / "megaapi_models.py"), "--output-model-type", "pydantic_v2.BaseModel",
            "--target-python-version", "3.11", "--use-annotated", "--field-constraints", "--formatters", "builtin",
            "--use-standard-collections", "--use-union-operator", "--disable-timestamp",
        ]
    )  # fmt: skip
    check_warnings(["datamodel-code-generator"], (line for line in output.splitlines() if line.strip()))
    # Models only: the operations are present when every component schema became a class.
    classes = names_in([project / "megaapi_models.py"], r"^class (\w+)\(")
    check_operations(classes, _spec()["components"]["schemas"])
    usage = HERE / "datamodel" / "models_usage.py"
    env = {"PYTHONPATH": str(project), "MYPYPATH": f"{project}:{HERE}"}
    config = project / "mypy.ini"
    config.write_text("[mypy]\nstrict = True\nplugins = pydantic.mypy\n", encoding="utf-8")
    mypy = [
        sys.executable,
        "-m",
        "mypy",
        "--config-file",
        str(config),
        "--no-incremental",
        "--cache-dir",
        str(project / ".mypy"),
    ]
    run([*mypy, str(usage), str(project / "megaapi_models.py")], env=env)
    run([sys.executable, str(usage)], env=env)


CHECKS: dict[str, Callable[[Path], None]] = {
    "go": check_go,
    "php": check_php,
    "typescript-fetch": check_typescript_fetch,
    "python": check_python,
    "hey-api": check_hey_api,
    "datamodel-code-generator": check_datamodel,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", action="append", choices=sorted(CHECKS), help="run only this check (repeatable)")
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    args = parser.parse_args()
    names = args.only or list(CHECKS)
    failed = []
    with tempfile.TemporaryDirectory(prefix="megaapi-languages-") as tmp:
        base = args.keep.resolve() if args.keep else Path(tmp)
        for name in names:
            work = base / name
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            started = time.monotonic()
            try:
                CHECKS[name](work)
            except CheckFailed as exc:
                failed.append(name)
                print(f"FAIL {name} ({time.monotonic() - started:.0f} s): {exc}", flush=True)
            else:
                print(f"ok   {name} ({time.monotonic() - started:.0f} s)", flush=True)
    print(f"{len(names) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
