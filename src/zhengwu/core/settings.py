"""The one settings class. Every field is documented in docs/settings.md (a test checks it)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Runtime settings, read from ``ZHENGWU_*`` environment variables or a ``.env`` file."""

    model_config = SettingsConfigDict(env_prefix="ZHENGWU_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/zhengwu.db",
        description="SQLAlchemy URL of the database; SQLite file by default, postgresql+psycopg:// in production.",
    )
    secret_key: str = Field(
        default="dev-insecure-change-me",
        description="Key for signing cookies and CSRF tokens; must be set to a long random value in production.",
    )
    data_key: str | None = Field(
        default=None,
        description="Key encrypting personal data at rest (AES-256-GCM): base64 of 32 random bytes "
        "(`openssl rand -base64 32`). Unset, a key is derived from secret_key (HKDF-SHA256), which is only for "
        "development: production must set its own and keep it apart from the database's backups.",
    )
    data_keys_old: str | None = Field(
        default=None,
        description="Retired data keys, comma-separated base64, still accepted for reading values written under "
        "them; new writes always use data_key.",
    )
    session_hours: int = Field(default=8, ge=1, le=720, description="Lifetime of a login session in hours.")
    cookie_secure: bool = Field(default=False, description="Send cookies only over HTTPS.")
    login_max_failures: int = Field(
        default=5, ge=1, le=100, description="Failed logins in a row before the account is locked."
    )
    login_lockout_minutes: int = Field(default=15, ge=1, le=1440, description="How long a locked account stays locked.")
    page_size: int = Field(default=20, ge=5, le=500, description="Default rows per page in lists.")
    timezone: str = Field(default="Asia/Shanghai", description="Time zone of the calendar and of displayed times.")
    demo_password: str = Field(
        default="Zhengwu@2024", description="Password given to every demo user by `zhengwu demo`."
    )
    attachment_max_bytes: int = Field(
        default=5 * 1024 * 1024, ge=1024, le=100 * 1024 * 1024, description="Largest attachment file in bytes."
    )
    attachment_max_files: int = Field(default=5, ge=1, le=50, description="Most files in one submission.")
    max_request_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=1024 * 1024,
        le=4 * 1024 * 1024 * 1024,
        description="Largest request body accepted (uploads, imports); larger ones get 413 before being read.",
    )
    public_intake_unit: str = Field(
        default="fh", description="Code of the unit (e.g. the county hotline) that receives the public web form."
    )
    public_rate_limit: int = Field(
        default=5, ge=1, le=10000, description="Public web form submissions allowed per client address per window."
    )
    public_rate_window_minutes: int = Field(
        default=10, ge=1, le=1440, description="Window of the public web form's rate limit, in minutes."
    )

    def sqlite_path(self) -> Path | None:
        """The file of a SQLite database, or None for other engines and in-memory databases."""
        prefix = "sqlite:///"
        if self.database_url.startswith(prefix) and self.database_url != "sqlite:///:memory:":
            return Path(self.database_url[len(prefix) :])
        return None
