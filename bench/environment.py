"""What the figures were measured on: cores, load, Python, gunicorn, the load generator."""

import os
import platform
from importlib.metadata import PackageNotFoundError, version


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "not installed"


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "unknown"


def describe(load_generator: str, server: str) -> list[str]:
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"CPU count:       {os.cpu_count()} ({usable} usable), {cpu_model()}",
        f"load average:    {load_average()} (1, 5, 15 min) at start",
        f"Python:          {platform.python_implementation()} {platform.python_version()}",
        f"gunicorn:        {_version('gunicorn')} (Flask {_version('flask')}, Flask-Compress "
        f"{_version('flask-compress')}, Brotli {_version('brotli')})",
        f"server:          {server}",
        f"load generator:  {load_generator}",
    ]
