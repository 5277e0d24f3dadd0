"""Flask extensions, created unbound and initialised in one place."""

from flask import request
from flask_babel import Babel
from flask_caching import Cache
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect

from portal.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
talisman = Talisman()
compress = Compress()
cache = Cache()


def not_a_post() -> bool:
    """Exempt everything but POSTs from a rate limit, so reading a page is never limited."""
    return request.method != "POST"
