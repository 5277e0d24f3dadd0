"""Settings a council gives through the environment reach the app."""

import os
import subprocess
import sys


def _smtp_settings(env: dict) -> str:
    program = "from portal.config import Config; print(Config.SMTP_HOST, Config.SMTP_PORT)"
    result = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True)
    return result.stdout.strip()


def test_the_smtp_relay_is_taken_from_the_environment():
    without = {key: value for key, value in os.environ.items() if not key.startswith("SMTP_")}
    assert _smtp_settings(without) == "localhost 25"
    given = {**without, "SMTP_HOST": "relay.example.gov.uk", "SMTP_PORT": "587"}
    assert _smtp_settings(given) == "relay.example.gov.uk 587"
