"""A project's local secrets and settings, kept in `<project>/.gqlauth/`.

`gqlauth token`, `gqlauth credentials` and `gqlauth serve` all find the same directory, so a token
minted on the command line is accepted by the server serving that project. The directory is created
0700 and every file in it 0600; files are written atomically, and creation and read-modify-write
happen under a lock so that a server and a CLI starting together agree on one key.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import string
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, TypeVar

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from transformer.environment import AuthEnvironment

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, creation races are then possible
    fcntl = None  # type: ignore[assignment]

STATE_DIR_NAME = ".gqlauth"
SCHEMA_FILE_NAME = "schema.graphql"
AMPLIFY_DIR_NAME = "amplify"

_ENVIRONMENT_FILE = "environment.json"
_ISSUER_FILE = "issuer.json"
_API_KEYS_FILE = "api-keys.json"
_CREDENTIALS_FILE = "iam-credentials.json"
_LOCK_FILE = ".lock"
_TLS_DIR = "tls"
_RSA_KEY_BITS = 2048

M = TypeVar("M", bound=BaseModel)


class LocalStateError(Exception):
    """The state directory cannot be used (unreadable, corrupt, or no project found)."""


def now_utc() -> datetime:
    return datetime.now(UTC)


def find_project(start: Path, explicit: Path | None = None) -> Path:
    """The project directory whose `.gqlauth/` holds the state.

    `explicit` (`--project DIR`, or a schema file) wins; otherwise walk up from `start` to the first
    directory holding `.gqlauth/`, a `schema.graphql` or an `amplify/` folder. A schema inside an
    Amplify project (`amplify/backend/api/<name>/schema.graphql`) belongs to the Amplify project root,
    so that every command run anywhere in that project shares one state.
    """
    if explicit is not None:
        target = explicit.expanduser().resolve()
        if target.is_dir():
            return target
        if target.is_file():
            return _amplify_root(target.parent) or target.parent
        raise LocalStateError(f"{explicit}: no such project directory")
    start = start.resolve()
    for directory in (start, *start.parents):
        if (directory / STATE_DIR_NAME).is_dir() or (directory / SCHEMA_FILE_NAME).is_file() \
                or (directory / AMPLIFY_DIR_NAME).is_dir():
            return _amplify_root(directory) or directory
    raise LocalStateError(
        f"no project found in {start} or above it (looked for {STATE_DIR_NAME}/, {SCHEMA_FILE_NAME} or "
        f"{AMPLIFY_DIR_NAME}/); run from the project directory or pass --project DIR"
    )


def _amplify_root(directory: Path) -> Path | None:
    if (directory / STATE_DIR_NAME).is_dir():
        return None
    for ancestor in directory.parents:
        if ancestor.name == AMPLIFY_DIR_NAME and ((ancestor / "backend").is_dir() or (ancestor / ".config").is_dir()):
            return ancestor.parent
    return None


class IssuerSettings(BaseModel):
    """The local token issuer: its signing key, the key id in token headers, the app client id."""

    model_config = ConfigDict(frozen=True)

    kid: str
    client_id: str
    private_key_pem: str
    created_at: datetime

    def private_key(self) -> rsa.RSAPrivateKey:
        key = serialization.load_pem_private_key(self.private_key_pem.encode(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise LocalStateError("the issuer key in .gqlauth/issuer.json is not an RSA key")
        return key


class ApiKey(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str
    description: str = ""
    created_at: datetime
    expires_at: datetime | None = None

    def is_valid(self, at: datetime) -> bool:
        return self.expires_at is None or at < self.expires_at


class _ApiKeyFile(BaseModel):
    keys: list[ApiKey] = Field(default_factory=list)


class IamCredentialRecord(BaseModel):
    """Temporary credentials issued locally, with the identity-pool identity they stand for."""

    model_config = ConfigDict(frozen=True)

    access_key_id: str
    secret_access_key: str
    session_token: str | None
    expires_at: datetime
    role_arn: str
    """The IAM role (`arn:aws:iam::<acct>:role/<name>`) the credentials were issued for."""
    user_arn: str
    """The caller as AppSync sees it: `arn:aws:sts::<acct>:assumed-role/<name>/CognitoIdentityCredentials`."""
    username: str
    account_id: str
    identity_pool_id: str
    identity_id: str
    auth_type: Literal["authenticated", "unauthenticated"]
    auth_provider: str | None = None
    label: str = ""

    def is_valid(self, at: datetime) -> bool:
        return at < self.expires_at


class _CredentialFile(BaseModel):
    credentials: dict[str, IamCredentialRecord] = Field(default_factory=dict)


class LocalState:
    """Typed access to `<project>/.gqlauth/`. Values are created on first use and then kept."""

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir
        self.dir = project_dir / STATE_DIR_NAME
        self._issuer: IssuerSettings | None = None
        self._environment: AuthEnvironment | None = None
        self._file_cache: dict[str, tuple[tuple[int, int, int], BaseModel]] = {}

    @classmethod
    def open(cls, project_dir: Path) -> LocalState:
        project_dir = project_dir.resolve()
        if not project_dir.is_dir():
            raise LocalStateError(f"{project_dir}: not a directory")
        state = cls(project_dir)
        try:
            state.dir.mkdir(mode=0o700, exist_ok=True)
            if state.dir.stat().st_mode & 0o077:
                state.dir.chmod(0o700)
            ignore = state.dir / ".gitignore"
            if not ignore.exists():
                write_private(ignore, "# gqlauth local secrets: never commit\n*\n")
        except OSError as exc:
            raise LocalStateError(f"{state.dir}: cannot create: {exc.strerror or exc}") from exc
        return state

    def path(self, name: str) -> Path:
        return self.dir / name

    def api_dir(self, schema_path: Path) -> Path:
        """Where the data of the API whose schema is `schema_path` is kept (created 0700 on first use).

        A project with one API (or no Amplify layout) keeps it in `.gqlauth/` itself, as always; in an
        Amplify project with several APIs each has its own `.gqlauth/<api>/`, so that `serve --api
        shop` and `serve --api admin` never share records. Keys, tokens and credentials stay shared.
        """
        from transformer.amplify_layout import amplify_backend, list_apis

        backend = amplify_backend(schema_path)
        apis = list_apis(backend.parent.parent) if backend is not None else {}
        if len(apis) < 2:
            return self.dir
        wanted = schema_path.resolve()
        name = next((api for api, schema in apis.items() if schema.resolve() == wanted), None)
        if name is None:
            return self.dir
        directory = self.dir / name
        try:
            directory.mkdir(mode=0o700, exist_ok=True)
        except OSError as exc:
            raise LocalStateError(f"{directory}: cannot create: {exc.strerror or exc}") from exc
        return directory

    @property
    def tls_dir(self) -> Path:
        directory = self.dir / _TLS_DIR
        directory.mkdir(mode=0o700, exist_ok=True)
        return directory

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """An exclusive advisory lock on the state directory (between processes)."""
        fd = os.open(self.path(_LOCK_FILE), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    # -- environment -----------------------------------------------------------------------------

    def environment(self) -> AuthEnvironment:
        """The AWS environment of this project (region, account, pools, roles); stable once written."""
        if self._environment is None:
            self._environment = self._load_or_create(_ENVIRONMENT_FILE, AuthEnvironment, AuthEnvironment)
        return self._environment

    def save_environment(self, env: AuthEnvironment) -> None:
        with self.locked():
            write_private(self.path(_ENVIRONMENT_FILE), env.model_dump_json(indent=2) + "\n")
        self._environment = env

    # -- token issuer ----------------------------------------------------------------------------

    def issuer_settings(self) -> IssuerSettings:
        if self._issuer is None:
            self._issuer = self._load_or_create(_ISSUER_FILE, IssuerSettings, _new_issuer_settings)
        return self._issuer

    # -- API keys --------------------------------------------------------------------------------

    def api_keys(self) -> list[ApiKey]:
        return self._cached(_API_KEYS_FILE, _ApiKeyFile).keys

    def dev_api_key(self) -> ApiKey:
        """The project's development API key, created on first use (`da2-` + random, like AppSync)."""
        with self.locked():
            valid = [key for key in self.api_keys() if key.is_valid(now_utc())]
            if valid:
                return valid[0]
            return self._append_api_key(ApiKey(key=new_api_key(), description="development key",
                                               created_at=now_utc()))

    def add_api_key(self, expires_at: datetime | None = None, description: str = "") -> ApiKey:
        with self.locked():
            return self._append_api_key(ApiKey(key=new_api_key(), description=description,
                                               created_at=now_utc(), expires_at=expires_at))

    def _append_api_key(self, key: ApiKey) -> ApiKey:
        stored = _ApiKeyFile(keys=[*self.api_keys(), key])
        write_private(self.path(_API_KEYS_FILE), stored.model_dump_json(indent=2) + "\n")
        return key

    # -- IAM credentials registry ----------------------------------------------------------------

    def register_credentials(self, record: IamCredentialRecord) -> None:
        """Add issued credentials; records expired for more than a day are dropped on the way."""
        with self.locked():
            current = self._cached(_CREDENTIALS_FILE, _CredentialFile).credentials
            cutoff = now_utc().timestamp() - 86400
            kept = {key: value for key, value in current.items() if value.expires_at.timestamp() > cutoff}
            kept[record.access_key_id] = record
            write_private(self.path(_CREDENTIALS_FILE),
                          _CredentialFile(credentials=kept).model_dump_json(indent=2) + "\n")

    def find_credentials(self, access_key_id: str) -> IamCredentialRecord | None:
        return self._cached(_CREDENTIALS_FILE, _CredentialFile).credentials.get(access_key_id)

    # -- helpers ---------------------------------------------------------------------------------

    def _cached(self, name: str, model: type[M]) -> M:
        """A file that other processes add to (the CLI issues keys while a server runs): re-read on change."""
        path = self.path(name)
        try:
            stat = path.stat()
        except FileNotFoundError:
            return model()
        signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        cached = self._file_cache.get(name)
        if cached is not None and cached[0] == signature and isinstance(cached[1], model):
            return cached[1]
        value = _read_model(path, model)
        self._file_cache[name] = (signature, value)
        return value

    def _load_or_create(self, name: str, model: type[M], create: Callable[[], M]) -> M:
        path = self.path(name)
        if path.exists():
            return _read_model(path, model)
        with self.locked():
            if path.exists():
                return _read_model(path, model)
            value = create()
            write_private(path, value.model_dump_json(indent=2) + "\n")
            return value


def _read_model(path: Path, model: type[M]) -> M:
    try:
        return model.model_validate_json(path.read_bytes())
    except OSError as exc:
        raise LocalStateError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    except ValidationError as exc:
        raise LocalStateError(
            f"{path}: corrupt local state ({exc.error_count()} problem(s), first: {exc.errors()[0]['msg']}); "
            "delete the file to have it recreated"
        ) from exc


def write_private(path: Path, text: str | bytes) -> None:
    """Write atomically with mode 0600 (a temporary file in the same directory, then rename)."""
    data = text.encode() if isinstance(text, str) else text
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise


def new_api_key() -> str:
    alphabet = string.ascii_lowercase + string.digits
    return "da2-" + "".join(secrets.choice(alphabet) for _ in range(26))


def _new_issuer_settings() -> IssuerSettings:
    key = rsa.generate_private_key(public_exponent=65537, key_size=_RSA_KEY_BITS)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    alphabet = string.ascii_lowercase + string.digits
    return IssuerSettings(
        kid=secrets.token_urlsafe(24),
        client_id="".join(secrets.choice(alphabet) for _ in range(26)),
        private_key_pem=pem,
        created_at=now_utc(),
    )

