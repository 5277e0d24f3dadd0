"""Prepare a throw-away database and run the portal and the hello-world app under gunicorn on 127.0.0.1."""

import os
import signal
import socket
import subprocess  # noqa: S404 - runs this project's own tools
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from bench import PROJECT_ROOT
from bench.rawhttp import LOOPBACK, fetch

# The same for both servers: one worker per core, the default sync worker class.
WORKERS = 2
WORKER_CLASS = "sync"
PORTAL_APP = "portal:create_app()"
HELLO_APP = "bench.hello:app"
BIN = Path(sys.executable).parent


def portal_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        PORTAL_ENV="production",
        SECRET_KEY="bench",  # noqa: S106 - a throw-away key for a throw-away database
        DATABASE_URL=f"sqlite:///{tmp / 'bench.db'}",
        MAIL_DIRECTORY=str(tmp / "mail"),
        UPLOAD_DIRECTORY=str(tmp / "uploads"),
        RATELIMIT_ENABLED="0",
        FORCE_HTTPS="0",
        SESSION_COOKIE_SECURE="0",
        PYTHONDONTWRITEBYTECODE="1",
        DEMO_DATA_ALLOWED="1",  # a throw-away database
    )
    return env


def _tool(name: str) -> list[str]:
    script = BIN / name
    return [str(script)] if script.exists() else [sys.executable, "-m", name]


def flask_command() -> list[str]:
    """`flask --app portal`, from this interpreter's environment."""
    return [*_tool("flask"), "--app", "portal"]


def run_flask(env: dict[str, str], *args: str) -> None:
    """`flask --app portal ARGS` on the throw-away database; RuntimeError with its output if it fails."""
    command = [*flask_command(), *args]
    done = subprocess.run(  # noqa: S603 - fixed arguments
        command, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")


def prepare_database(env: dict[str, str]) -> None:
    """`flask --app portal db upgrade` then `demo-data`, on the throw-away database."""
    run_flask(env, "db", "upgrade")
    run_flask(env, "demo-data")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    def stop(self) -> None:
        """SIGTERM to the gunicorn master's own process group (we started it in a new session), then wait."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def start_gunicorn(name: str, app: str, env: dict[str, str], tmp: Path, ready_path: str) -> Server:
    port = free_port()
    log = tmp / f"{name}-gunicorn.log"
    command = [
        *_tool("gunicorn"),
        "--workers",
        str(WORKERS),
        "--worker-class",
        WORKER_CLASS,
        "--bind",
        f"{LOOPBACK}:{port}",
        "--log-level",
        "warning",
        "--error-logfile",
        str(log),
        app,
    ]
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        command,
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    server = Server(name, port, process, log)
    try:
        _wait_ready(server, ready_path)
    except BaseException:
        server.stop()
        raise
    return server


def _wait_ready(server: Server, path: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name}: gunicorn exited with {server.process.returncode}:\n{server.log_tail()}")
        try:
            if fetch(server.port, path, {}, timeout=5).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{server.name}: not answering {path} after {timeout:.0f} s:\n{server.log_tail()}")
