"""Password hashing (scrypt by default; tests may configure a cheaper method)."""

from flask import current_app, has_app_context
from werkzeug.security import check_password_hash, generate_password_hash


def method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=method())


def verify(password_hash: str | None, password: str) -> bool:
    return bool(password_hash) and check_password_hash(password_hash, password)
