"""CURVE key files: the hub's own key pair and each enrolled terminal's.

The hub's secret key is the root of trust for every terminal, so it lives in
the per-user config directory (never in the repository), is created with mode
0600 and is refused if anyone else can read it (as ssh does).  Key files are
small TOML documents a person can inspect.

A hub never makes its key by itself once it is running for real: a new key
locks out every enrolled terminal (their key files carry the old public key)
until each is enrolled again, so a missing key stops the hub with a message
naming the explicit command, ``python main.py keys new-hub-key --key-dir DIR``
(:func:`keys_main`), or ``main.py hub --init-key`` for the very first start.
The audit key (``audit.key_secret``, :mod:`console.audit`) lives beside it.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import stat
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

import platformdirs
import zmq

APP_NAME = "huangpu-dispatch"
HUB_SECRET_FILE = "hub.key_secret"
HUB_PUBLIC_FILE = "hub.key"
AUDIT_KEY_FILE = "audit.key_secret"
NEW_HUB_KEY_COMMAND = "python main.py keys new-hub-key --key-dir {dir}"
KEY_DIR_ENV = "DISPATCH_KEY_DIR"
_Z85 = re.compile(r"[0-9a-zA-Z.\-:+=^!/*?&<>()\[\]{}@%$#]{40}")
REPO_ROOT = Path(__file__).resolve().parents[2]

log = logging.getLogger(__name__)


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


def write_private(path: Path, text: str) -> None:
    """Create ``path`` with mode 0600 from the start (no window where it is readable)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def read_private(path: Path, what: str) -> dict[str, object]:
    """A 0600 TOML key file's contents; refuses one that others may read."""
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


def check_key_dir(directory: Path | None) -> Path:
    """The key directory to use (default: :func:`default_key_dir`); never inside the repository."""
    d = directory or default_key_dir()
    if _inside_repo(d):
        raise KeyFileError(f"keys must live outside the repository, not in {d}")
    return d


def missing_hub_key_message(directory: Path) -> str:
    """What to do about a missing hub key, and what making a new one costs."""
    cmd = NEW_HUB_KEY_COMMAND.format(dir=directory)
    return (
        f"no hub key in {directory} ({HUB_SECRET_FILE} is missing), so the hub will not start. "
        "It does not make a new key by itself: every enrolled terminal carries the hub's public "
        "key and would be locked out until it is enrolled again. If the key was lost, restore "
        f"{directory} from its backup. On a new installation (or if there is no backup) make "
        f"one with: {cmd}  (or start the hub once with --init-key); every terminal enrolled "
        "before must then be enrolled again (python main.py enroll --unit CALLSIGN)"
    )


def load_hub_keys(directory: Path | None = None) -> KeyPair:
    """The hub's key pair; a missing key is an error naming the command that makes one."""
    d = check_key_dir(directory)
    secret_path = d / HUB_SECRET_FILE
    if not secret_path.exists():
        raise KeyFileError(missing_hub_key_message(d))
    data = read_private(secret_path, "hub key file")
    kp = KeyPair(
        check_z85_key(str(data.get("public", "")), f"public key in {secret_path}"),
        check_z85_key(str(data.get("secret", "")), f"secret key in {secret_path}"),
    )
    if zmq.curve_public(kp.secret.encode()).decode() != kp.public:
        raise KeyFileError(f"{secret_path}: public and secret key do not belong together")
    return kp


def create_hub_keys(directory: Path | None = None, *, replace: bool = False) -> KeyPair:
    """Make a new hub key pair; refuses to replace one unless ``replace`` (the old key is kept
    beside it as ``hub.key_secret.replaced-<unix time>``, mode 0600)."""
    d = check_key_dir(directory)
    secret_path = d / HUB_SECRET_FILE
    if secret_path.exists():
        if not replace:
            raise KeyFileError(
                f"{secret_path} exists; a new hub key locks out every enrolled terminal "
                "(add --replace if that is really meant)"
            )
        secret_path.rename(d / f"{HUB_SECRET_FILE}.replaced-{int(time.time())}")
    kp = KeyPair.generate()
    write_private(
        secret_path,
        "# Huangpu dispatch hub CURVE key pair. Secret: never copy or commit.\n"
        f'public = "{kp.public}"\nsecret = "{kp.secret}"\n',
    )
    (d / HUB_PUBLIC_FILE).write_text(f'public = "{kp.public}"\n', encoding="utf-8")
    return kp


def hub_keys_for_start(directory: Path | None = None, *, init: bool = False) -> KeyPair:
    """The keys ``main.py hub`` starts with: the existing pair, or with ``init`` (first start
    of a new installation) a new one when none exists yet; never a silent replacement."""
    d = check_key_dir(directory)
    if init and not (d / HUB_SECRET_FILE).exists():
        kp = create_hub_keys(d)
        log.warning("created a new hub key in %s (--init-key): public key %s", d, kp.public)
        return kp
    return load_hub_keys(d)


def load_or_create_hub_keys(directory: Path | None = None) -> KeyPair:
    """The hub's key pair, created if missing: for tests and benchmarks on throw-away key
    directories only (the hub itself uses :func:`hub_keys_for_start`)."""
    d = check_key_dir(directory)
    if not (d / HUB_SECRET_FILE).exists():
        return create_hub_keys(d)
    return load_hub_keys(d)


def hub_public_key(directory: Path | None = None) -> str:
    """The hub's public key (all a workstation or enrolment needs); reads ``hub.key``.

    Never makes a key: without one this is the error naming the command that does."""
    d = directory or default_key_dir()
    path = d / HUB_PUBLIC_FILE
    if not path.exists():
        return load_hub_keys(d).public
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise KeyFileError(f"hub public key file {path} cannot be read: {exc}") from None
    return check_z85_key(str(data.get("public", "")), f"public key in {path}")


# ----------------------------------------------------------------------- audit key


def load_audit_key(directory: Path | None = None) -> bytes | None:
    """The audit key (32 random bytes) from the key directory, or None if there is none yet."""
    d = check_key_dir(directory)
    path = d / AUDIT_KEY_FILE
    if not path.exists():
        return None
    raw = str(read_private(path, "audit key file").get("key", ""))
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        key = b""
    if len(key) != 32:
        raise KeyFileError(f"{path}: 'key' must be 64 hexadecimal characters")
    return key


def create_audit_key(directory: Path | None = None) -> bytes:
    """Make the audit key (refuses to replace one: rows keyed with it could no longer be
    checked)."""
    d = check_key_dir(directory)
    path = d / AUDIT_KEY_FILE
    if path.exists():
        raise KeyFileError(f"{path} exists; an audit key is never replaced")
    key = secrets.token_bytes(32)
    write_private(
        path,
        "# Huangpu dispatch audit key: seals the audit log. Secret: back it up with the\n"
        "# hub key, never copy it next to the database.\n"
        f'key = "{key.hex()}"\n',
    )
    return key


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
    write_private(path, terminal_key_text(key))


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
    data = read_private(path, "terminal key file")
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


# ----------------------------------------------------------------------- shell command


def keys_main(argv: list[str]) -> int:
    """``python main.py keys new-hub-key|show [--key-dir DIR] [--replace] [--db URL]``.

    ``new-hub-key`` makes the hub's key pair (refusing to replace one unless
    ``--replace``; every terminal enrolled before must then be enrolled again).
    It is put on record in the database's audit log first, and not done if that fails.
    """
    import argparse

    p = argparse.ArgumentParser(prog="main.py keys", description="the hub's CURVE key pair")
    p.add_argument("action", choices=["new-hub-key", "show"])
    p.add_argument("--key-dir", type=Path, help="key directory (default: user config dir)")
    p.add_argument("--replace", action="store_true", help="replace an existing hub key")
    p.add_argument("--db", metavar="URL", help="database whose audit log records the change")
    args = p.parse_args(argv)
    try:
        d = check_key_dir(args.key_dir)
        if args.action == "show":
            print(f"hub public key {load_hub_keys(d).public} ({d / HUB_PUBLIC_FILE})")
            return 0
        return _new_hub_key(d, args.replace, args.db)
    except KeyFileError as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2


def _new_hub_key(d: Path, replace: bool, db: str | None) -> int:
    from console.audit import cli_actor, cli_trail
    from console.store.db import default_db_url, open_store
    from console.store.errors import StoreError

    existed = (d / HUB_SECRET_FILE).exists()
    if existed and not replace:
        raise KeyFileError(
            f"{d / HUB_SECRET_FILE} exists; a new hub key locks out every enrolled terminal "
            "(add --replace if that is really meant)"
        )
    try:
        store = open_store(db or default_db_url())
    except StoreError as exc:
        print(f"refused: the change cannot be put on record: {exc}", file=sys.stderr)
        return 2
    trail = None
    kp: KeyPair | None = None
    try:
        trail = cli_trail(store, d)
        actor, host = cli_actor()
        with store.transaction() as s:  # on record first; a failed commit undoes the key
            trail.write(
                s,
                actor=actor,
                workstation=host,
                action="keys.new_hub_key",
                payload={"key_dir": str(d), "replaced": existed},
            )
            kp = create_hub_keys(d, replace=replace)
    except Exception as exc:
        if kp is not None:
            _undo_new_key(d)
        print(f"refused: the change cannot be put on record: {exc}", file=sys.stderr)
        return 2
    finally:
        if trail is not None:
            trail.close()
        store.close()
    print(f"new hub key in {d}: public key {kp.public}")
    if existed:
        print(
            "the old key is kept as hub.key_secret.replaced-*; every terminal enrolled before "
            "must be enrolled again (python main.py enroll --unit CALLSIGN)"
        )
    return 0


def _undo_new_key(d: Path) -> None:
    """Take back a key whose audit row did not commit: the old pair (if any) returns."""
    (d / HUB_SECRET_FILE).unlink(missing_ok=True)
    (d / HUB_PUBLIC_FILE).unlink(missing_ok=True)
    old = sorted(d.glob(f"{HUB_SECRET_FILE}.replaced-*"))
    if old:
        old[-1].rename(d / HUB_SECRET_FILE)
        kp = load_hub_keys(d)
        (d / HUB_PUBLIC_FILE).write_text(f'public = "{kp.public}"\n', encoding="utf-8")


if __name__ == "__main__":  # python -m console.link.keys new-hub-key|show ...
    sys.exit(keys_main(sys.argv[1:]))
