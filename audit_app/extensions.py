"""Extensions, created unbound; create_app binds them."""

from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so migrations can refer to them on every database.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class AuditApi(Api):
    """The single place the API is customised: field errors flattened to readable paths."""

    def handle_http_exception(self, error):
        data = getattr(error, "data", None)
        if data and "messages" in data and "errors" not in data:
            from .api.errors import flat_field_errors

            data["errors"] = flat_field_errors(data.pop("messages"))
            data.setdefault("message", "Invalid fields in the request")
        return super().handle_http_exception(error)


# Objects stay usable after commit: a request answers with what it just wrote instead of
# reading it back (each request has its own short-lived session).
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
migrate = Migrate()
api = AuditApi()
