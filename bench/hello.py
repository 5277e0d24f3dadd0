"""The reference: a bare Flask hello-world app, served by gunicorn the same way as the portal."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hello, World!"
