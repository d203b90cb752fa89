"""Every workflow of the project is a nox session; `nox -l` lists them.

`nox` alone runs the default sessions, the ones CI runs: spec, check_generated, lint, tests, contract_cli, prism,
demo and languages.
"""

from __future__ import annotations

import filecmp
import shutil
import tempfile
from pathlib import Path

import nox

ROOT = Path(__file__).parent
PYPROJECT = nox.project.load_toml("pyproject.toml")
TOOLS = ROOT / "tools"
NODE_BIN = TOOLS / "node_modules" / ".bin"
# The plain API methods, derived from openapi.yaml with generated/ (see scripts/derive_methods.py).
DERIVED = ROOT / "overlays" / "megaapi" / "namespaces" / "derived.py"

nox.options.sessions = ["spec", "check_generated", "lint", "tests", "contract_cli", "prism", "demo", "languages"]
nox.options.reuse_existing_virtualenvs = True
nox.options.error_on_missing_interpreters = True


def _group(name: str) -> list[str]:
    return list(nox.project.dependency_groups(PYPROJECT, name))


def _node_tool(session: nox.Session, name: str) -> str:
    """Path of a pinned Node.js tool from tools/package-lock.json, installed on first use."""
    if not (NODE_BIN / name).exists():
        session.run("npm", "ci", "--prefix", str(TOOLS), "--no-audit", "--no-fund", external=True)
    return str(NODE_BIN / name)


def _regenerate_into(session: nox.Session, out: Path) -> None:
    session.run("python", "scripts/regenerate.py", str(out))


@nox.session
def generate(session: nox.Session) -> None:
    """Validate openapi.yaml and regenerate generated/megaapi_client with the pinned generator."""
    session.install(*_group("generate"))
    session.run("openapi-spec-validator", "openapi.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        _regenerate_into(session, Path(tmp))
        target = ROOT / "generated"
        shutil.rmtree(target / "megaapi_client", ignore_errors=True)
        shutil.move(Path(tmp) / "megaapi_client", target / "megaapi_client")
        shutil.copy(Path(tmp) / "stamp.json", target / "stamp.json")
        shutil.copy(Path(tmp) / "derived.py", DERIVED)
    session.log("generated/megaapi_client regenerated; commit it together with the spec change")


def _differences(expected: Path, actual: Path) -> list[str]:
    comparison = filecmp.dircmp(expected, actual, ignore=["__pycache__", DERIVED.name])
    found = [f"only in a fresh generation: {name}" for name in comparison.left_only]
    found += [f"only in generated/: {name}" for name in comparison.right_only]
    found += [f"differs: {name}" for name in comparison.diff_files]
    for name in comparison.common_dirs:
        found += [f"{name}/{line}" for line in _differences(expected / name, actual / name)]
    return found


@nox.session
def check_generated(session: nox.Session) -> None:
    """Fail if generated/ is not exactly what the pinned generator makes of openapi.yaml."""
    session.install(*_group("generate"))
    with tempfile.TemporaryDirectory() as tmp:
        _regenerate_into(session, Path(tmp))
        drift = _differences(Path(tmp), ROOT / "generated")
        if not filecmp.cmp(Path(tmp) / "derived.py", DERIVED, shallow=False):
            drift.append(f"differs: {DERIVED.relative_to(ROOT)}")
    if drift:
        session.error("generated/ is out of date; run `nox -s generate`:\n  " + "\n  ".join(drift))
    session.log("generated/ matches openapi.yaml")


@nox.session
def spec(session: nox.Session) -> None:
    """Validate openapi.yaml, lint it with Redocly and run the project's own checks on it."""
    # The package brings megaapi.spec, the one spec reader the checks use.
    session.install("-e", ".", *_group("test"))
    session.run("openapi-spec-validator", "openapi.yaml")
    session.run(_node_tool(session, "redocly"), "lint", "openapi.yaml", external=True, env={"REDOCLY_TELEMETRY": "off"})
    session.run("pytest", "tests/spec", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff and mypy --strict on every hand-written file."""
    session.install("-e", ".[all]", *_group("lint"))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")
    session.run("mypy")
    session.run("mypy", "--no-namespace-packages", "scripts", "examples", "noxfile.py")
    session.run("python", "scripts/check_typing_guards.py")
    session.run("python", "scripts/check_readme.py")  # README's ```python snippets, each under mypy --strict
    # Each test folder is its own set of top-level modules (several have a conftest.py), so one mypy run each,
    # without a shared cache that would mix them up.
    for folder in sorted(path for path in (ROOT / "tests").iterdir() if any(path.glob("*.py"))):
        session.run("mypy", "--no-incremental", "--no-namespace-packages", str(folder.relative_to(ROOT)))


@nox.session
def tests(session: nox.Session) -> None:
    """The unit, integration and contract tests."""
    session.install("-e", ".[all]", *_group("test"), *_group("contract"))
    # tests/spec belongs to the `spec` session.
    session.run("pytest", *(session.posargs or ["tests", "--ignore=tests/spec"]))


@nox.session
def contract_cli(session: nox.Session) -> None:
    """The schemathesis CLI (`st run`) against the emulator served on 127.0.0.1."""
    session.install("-e", ".[testing]", *_group("contract"))
    session.run("python", "scripts/contract_cli.py", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """The main job: the SDK's quickstart, then the daily loop with the `megaapi` command, on the emulator."""
    session.install("-e", ".[all]")
    session.run("python", "scripts/demo.py")
    session.run("python", "scripts/demo_loop.py")


@nox.session
def prism(session: nox.Session) -> None:
    """The integration tests through `prism proxy` in front of the emulator: an independent contract check."""
    session.install("-e", ".[testing]", *_group("test"))
    session.run("pytest", "tests/integration", *session.posargs, env={"MEGAAPI_PRISM": _node_tool(session, "prism")})


@nox.session
def languages(session: nox.Session) -> None:
    """Clients from third-party generators (openapi-generator go, php, typescript-fetch, python; hey-api;
    datamodel-code-generator) built and type-checked. Needs a JRE, Go, PHP and Debian's validator.v2 (see .ci/run)."""
    session.install(*_group("languages"))
    for tool in ("tsc", "openapi-ts"):
        _node_tool(session, tool)
    session.run("python", "scripts/languages/check.py", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Overhead, throughput, start-up and memory of the SDK and its servers, as ratios side by side (not a test)."""
    # Only the runtime dependencies at first: the generator's own (rich, click) would slow `import httpx` down.
    session.install("-e", ".[aiohttp]")
    session.run("python", "scripts/bench.py", *session.posargs)
    session.install("-e", ".[testing,aiohttp]")
    session.run("python", "scripts/bench.py", "--servers", *session.posargs)
    session.install(*_group("generate"))
    session.run("python", "scripts/bench.py", "--generate")
    session.install("-e", ".[testing,inbox,postgres]")
    session.run("python", "scripts/bench_emulator.py")
    session.run("python", "scripts/bench_inbox.py")
    session.run("python", "scripts/bench_outbox.py")


@nox.session
def publish(session: nox.Session) -> None:
    """Write dist/openapi.yaml, dist/openapi.json and dist/megaapi-api.html; type-check a TypeScript client."""
    session.install("pyyaml", "openapi-spec-validator==0.9.0")
    session.run("openapi-spec-validator", "openapi.yaml")
    dist = ROOT / "dist"
    dist.mkdir(exist_ok=True)
    session.run("python", "scripts/publish_spec.py", str(dist))
    env = {"REDOCLY_TELEMETRY": "off"}
    session.run(
        _node_tool(session, "redocly"), "build-docs", "openapi.yaml", "--output", str(dist / "megaapi-api.html"),
        external=True, env=env,
    )  # fmt: skip
    types = dist / "typescript" / "megaapi.d.ts"
    session.run(
        _node_tool(session, "openapi-typescript"), str(dist / "openapi.json"), "--output", str(types), external=True
    )
    session.run(_node_tool(session, "tsc"), "--project", "scripts/typescript-check/tsconfig.json", external=True)
    session.log(f"published to {dist}")
