"""The one typed settings object. Every knob is an environment variable prefixed ``PLAZA_``."""

from __future__ import annotations

import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

BASE_DIR = Path(__file__).resolve().parent.parent


class PlazaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PLAZA_", extra="ignore")

    data_dir: Path = Field(
        default=BASE_DIR / "var", description="SQLite files, media, task storage"
    )
    debug: bool = False
    secret_key: str | None = None
    public_url: str = Field(
        default="http://localhost:8000", description="scheme://host[:port] people reach"
    )
    allowed_hosts: list[str] = ["*"]
    database_url: str | None = Field(default=None, description="postgres://user:pass@host:port/db")
    database_prepared_statements: bool = Field(
        default=True,
        description="PostgreSQL: bind parameters on the server and prepare repeated statements "
        "(turn off behind a transaction-pooling PgBouncer)",
    )
    redis_url: str | None = Field(
        default=None, description="redis://host:port/db for tasks, cache, channels"
    )
    task_immediate: bool = Field(default=False, description="run tasks inline (tests)")
    serve_media: bool = True
    email_backend: str = "django.core.mail.backends.console.EmailBackend"
    default_from_email: str = "Plaza <noreply@localhost>"
    instance_name: str = "Plaza"
    web_threads: int = Field(default=4, description="threads per web process for page/API requests")
    registrations_open: bool = Field(default=True, description="anyone may sign up (web and API)")
    # Accounts with more followers than this are not fanned out on write; their posts are
    # pulled into followers' home feeds at read time instead.
    fanout_limit: int = 50_000
    max_post_chars: int = 5_000
    max_image_bytes: int = 16 * 1024 * 1024
    max_video_bytes: int = 100 * 1024 * 1024
    max_document_bytes: int = 50 * 1024 * 1024
    max_image_pixels: int = 40_000_000
    time_zone: str = "UTC"

    def resolved_secret_key(self) -> str:
        """The configured key, or one generated once and kept in the data directory."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text().strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        path.write_text(key)
        path.chmod(0o600)
        return key


def load() -> PlazaSettings:
    return PlazaSettings()
