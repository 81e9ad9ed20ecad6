"""CURVE key files: the hub's own key pair and each enrolled terminal's.

The hub's secret key is the root of trust for every terminal, so it lives in
the per-user config directory (never in the repository), is created with mode
0600 and is refused if anyone else can read it (as ssh does).  Key files are
small TOML documents a person can inspect.
"""

from __future__ import annotations

import os
import re
import stat
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import zmq

APP_NAME = "huangpu-dispatch"
HUB_SECRET_FILE = "hub.key_secret"
HUB_PUBLIC_FILE = "hub.key"
KEY_DIR_ENV = "DISPATCH_KEY_DIR"
_Z85 = re.compile(r"[0-9a-zA-Z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}")
REPO_ROOT = Path(__file__).resolve().parents[2]


class KeyFileError(Exception):
    """A key file is missing, malformed, unsafe or in the wrong place."""


@dataclass(frozen=True)
class KeyPair:
    """A CURVE key pair in Z85 text (40 characters each)."""

    public: str
    secret: str

    @staticmethod
    def generate() -> KeyPair:
        pub, sec = zmq.curve_keypair()
        return KeyPair(pub.decode("ascii"), sec.decode("ascii"))


@dataclass(frozen=True)
class TerminalKey:
    """What a terminal needs to connect: its unit, its key pair and the hub's public key."""

    unit: str
    keys: KeyPair
    hub_public: str
    endpoint: str = ""


def check_z85_key(key: str, what: str) -> str:
    """The key if it is 40 Z85 characters, else a clear error."""
    if not isinstance(key, str) or _Z85.fullmatch(key) is None:
        raise KeyFileError(f"{what} is not a 40-character Z85 CURVE key")
    return key


def default_key_dir() -> Path:
    """``$DISPATCH_KEY_DIR`` or ``<user config dir>/huangpu-dispatch/keys``."""
    env = os.environ.get(KEY_DIR_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_config_dir(APP_NAME)) / "keys"


def _inside_repo(path: Path) -> bool:
    try:
        path.resolve().relative_to(REPO_ROOT)
    except ValueError:
        return False
    return (REPO_ROOT / ".git").exists() or (REPO_ROOT / "pyproject.toml").exists()


def _write_private(path: Path, text: str) -> None:
    """Create ``path`` with mode 0600 from the start (no window where it is readable)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def _read_private(path: Path, what: str) -> dict[str, object]:
    try:
        st = path.stat()
    except FileNotFoundError:
        raise KeyFileError(f"{what} {path} does not exist") from None
    if os.name == "posix" and st.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyFileError(
            f"{what} {path} is readable by others (mode {stat.S_IMODE(st.st_mode):o}); "
            f"run: chmod 600 {path}"
        )
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise KeyFileError(f"{what} {path} cannot be read: {exc}") from None


def load_or_create_hub_keys(directory: Path | None = None) -> KeyPair:
    """The hub's key pair, created on first use; refuses a directory inside the repository."""
    d = directory or default_key_dir()
    if _inside_repo(d):
        raise KeyFileError(f"the hub key must live outside the repository, not in {d}")
    secret_path = d / HUB_SECRET_FILE
    if not secret_path.exists():
        kp = KeyPair.generate()
        _write_private(
            secret_path,
            "# Huangpu dispatch hub CURVE key pair. Secret: never copy or commit.\n"
            f'public = "{kp.public}"\nsecret = "{kp.secret}"\n',
        )
        (d / HUB_PUBLIC_FILE).write_text(f'public = "{kp.public}"\n', encoding="utf-8")
        return kp
    data = _read_private(secret_path, "hub key file")
    kp = KeyPair(
        check_z85_key(str(data.get("public", "")), f"public key in {secret_path}"),
        check_z85_key(str(data.get("secret", "")), f"secret key in {secret_path}"),
    )
    if zmq.curve_public(kp.secret.encode()).decode() != kp.public:
        raise KeyFileError(f"{secret_path}: public and secret key do not belong together")
    return kp


def hub_public_key(directory: Path | None = None) -> str:
    """The hub's public key (all a workstation or enrolment needs); reads ``hub.key``."""
    d = directory or default_key_dir()
    path = d / HUB_PUBLIC_FILE
    if not path.exists():
        return load_or_create_hub_keys(d).public
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KeyFileError(f"hub public key file {path} cannot be read: {exc}") from None
    return check_z85_key(str(data.get("public", "")), f"public key in {path}")


def resolve_hub_key(given: str | None) -> str:
    """The hub public key a workstation was given: Z85 text, a ``hub.key`` file, or
    (nothing given) the one in this machine's key directory."""
    if not given:
        return hub_public_key()
    path = Path(given)
    if path.is_dir():
        return hub_public_key(path)
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise KeyFileError(f"hub public key file {path} cannot be read: {exc}") from None
        return check_z85_key(str(data.get("public", "")), f"public key in {path}")
    return check_z85_key(given.strip(), "--hub-key")


def safe_stem(name: str) -> str:
    """``name`` (a call sign, may be Chinese) as a file name stem: letters, digits, - and _."""
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)


def key_file_name(call_sign: str) -> str:
    """The default file name of a unit's terminal key (``main.py enroll``, admin dialog)."""
    return safe_stem(call_sign) + ".key"


def write_terminal_key(path: Path, key: TerminalKey) -> None:
    """Write a terminal's key file (mode 0600); refuses to overwrite an existing one."""
    if path.exists():
        raise KeyFileError(f"{path} exists; refusing to overwrite a terminal key")
    _write_private(path, terminal_key_text(key))


def terminal_key_text(key: TerminalKey) -> str:
    """A terminal key file's text (what :func:`load_terminal_key` reads); the one place
    its format is written, for ``main.py enroll`` and the admin dialog alike."""
    return (
        "# Huangpu dispatch terminal key. Secret: install on the terminal only.\n"
        f"unit = {_toml_str(key.unit)}\n"
        f'public = "{key.keys.public}"\nsecret = "{key.keys.secret}"\n'
        f'hub_public = "{key.hub_public}"\nendpoint = {_toml_str(key.endpoint)}\n'
    )


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def load_terminal_key(path: Path) -> TerminalKey:
    """Read and check a terminal key file."""
    data = _read_private(path, "terminal key file")
    unit = data.get("unit")
    if not isinstance(unit, str) or not unit:
        raise KeyFileError(f"{path}: missing 'unit'")
    kp = KeyPair(
        check_z85_key(str(data.get("public", "")), f"public key in {path}"),
        check_z85_key(str(data.get("secret", "")), f"secret key in {path}"),
    )
    if zmq.curve_public(kp.secret.encode()).decode() != kp.public:
        raise KeyFileError(f"{path}: public and secret key do not belong together")
    hub = check_z85_key(str(data.get("hub_public", "")), f"hub public key in {path}")
    return TerminalKey(unit=unit, keys=kp, hub_public=hub, endpoint=str(data.get("endpoint", "")))
