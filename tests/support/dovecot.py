"""A private Dovecot IMAP server on loopback for the mailbox tests (issue 17): Debian's
``dovecot-imapd`` started as a subprocess with its own configuration in a temporary directory —
users from a static passwd-file, Maildir under the directory, no SSL — and helpers that act as a
mail client would (APPEND, flags, expunge) or as an administrator (a new UIDVALIDITY, with
``doveadm``). Fails, never skips, when the binary is missing.

Run as root (CI containers), Dovecot refuses to run its login and mail processes as root: they run
as the package's ``dovenull`` and ``dovecot`` users, which then own the directory.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import aioimaplib
import pytest

from tests.support.processes import listening, terminate
from tests.support.services import free_port

DOVECOT = "/usr/sbin/dovecot"
ACCOUNTS = 40
INSTALL = "install it with: apt-get install dovecot-imapd (the tests start their own private server)"

CONFIG = """\
protocols = imap
listen = 127.0.0.1
base_dir = {dir}/run
state_dir = {dir}/state
log_path = {dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {internal_group}
default_login_user = {login}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {dir}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={dir}/home/%u
}}
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Gesendet {{
    special_use = \\Sent
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
"""


class Dovecot:
    """One running Dovecot; ``user()`` makes a fresh account (a mailbox of its own) per test."""

    def __init__(self) -> None:
        if not os.access(DOVECOT, os.X_OK):
            pytest.fail(f"{DOVECOT} is missing; {INSTALL}", pytrace=False)
        self.port = free_port()
        self.host = "127.0.0.1"
        self.dir = Path(tempfile.mkdtemp(prefix="tandem-dovecot-"))
        self.process: subprocess.Popen[bytes] | None = None
        # Accounts are written before the start: Dovecot re-reads a changed passwd-file by its mtime,
        # whose one-second steps can hide a second change (a test then cannot sign in).
        self._accounts = [(f"u{uuid.uuid4().hex[:12]}@mail.test", "app-password") for _ in range(ACCOUNTS)]

    @property
    def config(self) -> Path:
        return self.dir / "dovecot.conf"

    def _identity(self) -> dict[str, object]:
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.geteuid())
            group = _group_name(me.pw_gid)
            return {"internal": me.pw_name, "internal_group": group, "login": me.pw_name, "uid": me.pw_uid,
                    "gid": me.pw_gid}
        mail, login = pwd.getpwnam("dovecot"), pwd.getpwnam("dovenull")
        return {"internal": "dovecot", "internal_group": _group_name(mail.pw_gid), "login": login.pw_name,
                "uid": mail.pw_uid, "gid": mail.pw_gid}

    async def start(self) -> Dovecot:
        who = self._identity()
        self.dir.chmod(0o755)
        (self.dir / "users").write_text("".join(f"{name}:{{PLAIN}}{password}::::::\n"
                                                for name, password in self._accounts))
        (self.dir / "home").mkdir()
        if os.geteuid() == 0:
            os.chown(self.dir / "home", int(who["uid"]), int(who["gid"]))
        self.config.write_text(CONFIG.format(dir=self.dir, port=self.port, **who))
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(self.config)], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)
        await listening(self.process, "dovecot", self.host, self.port, 15)
        return self

    def stop(self) -> None:
        if self.process is not None:
            terminate(self.process)
            self.process = None
        shutil.rmtree(self.dir, ignore_errors=True)

    def user(self) -> tuple[str, str]:
        """An account no one used yet ``(user name, password)``; its address is the user name."""
        if not self._accounts:
            pytest.fail(f"all {ACCOUNTS} accounts of this Dovecot are used: raise ACCOUNTS")
        return self._accounts.pop()

    async def client(self, user: str, password: str) -> aioimaplib.IMAP4:
        imap = aioimaplib.IMAP4(self.host, self.port, timeout=20)
        await imap.wait_hello_from_server()
        answer = await imap.login(user, password)
        assert answer.result == "OK", answer
        return imap

    async def append(self, user: str, password: str, *messages: bytes, folder: str = "INBOX") -> None:
        """Put ``messages`` in the user's folder with IMAP APPEND, as a mail client or delivery would."""
        imap = await self.client(user, password)
        try:
            for raw in messages:
                answer = await imap.append(raw, mailbox=aioimaplib.quoted(folder) if " " in folder else folder)
                assert answer.result == "OK", answer
        finally:
            await imap.logout()

    async def flags(self, user: str, password: str) -> dict[int, str]:
        """UID -> the FLAGS item of every message in INBOX (looked at read-only)."""
        imap = await self.client(user, password)
        try:
            await imap.examine("INBOX")
            imap.protocol.state = aioimaplib.SELECTED
            answer = await imap.uid("fetch", "1:*", "(FLAGS)")
        finally:
            await imap.logout()
        found = {}
        for line in answer.lines[:-1]:
            text = bytes(line).decode()
            if "UID " in text:
                uid = int(text.split("UID ", 1)[1].split()[0].rstrip(")"))
                found[uid] = text.split("FLAGS ", 1)[1] if "FLAGS " in text else ""
        return found

    async def expunge_all(self, user: str, password: str) -> None:
        """Delete every message in INBOX (a mailbox cleaned on the server)."""
        imap = await self.client(user, password)
        try:
            assert (await imap.select("INBOX")).result == "OK"
            await imap.store("1:*", "+FLAGS.SILENT", r"(\Deleted)")
            assert (await imap.expunge()).result == "OK"
        finally:
            await imap.logout()

    async def create(self, user: str, password: str, folder: str) -> None:
        """Make a folder, as a mail client does (``Gesendet`` carries SPECIAL-USE \\Sent in this config)."""
        imap = await self.client(user, password)
        try:
            answer = await imap.create(aioimaplib.quoted(folder))
            assert answer.result == "OK", answer
        finally:
            await imap.logout()

    def renumber(self, user: str, uidvalidity: int, folder: str = "INBOX") -> None:
        """Give a folder a new UIDVALIDITY, as a server restored from backup or migrated would."""
        subprocess.run(["doveadm", "-c", str(self.config), "mailbox", "update", "--uid-validity", str(uidvalidity),
                        "-u", user, folder], check=True, capture_output=True)


def _group_name(gid: int) -> str:
    import grp

    return grp.getgrgid(gid).gr_name


class SignInSmtp:
    """An SMTP server on loopback (aiosmtpd) that accepts any sign-in, for the check a mailbox's
    SMTP settings get on save; ``with SignInSmtp() as port:``."""

    def __enter__(self) -> int:
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import AuthResult

        def anyone(server, session, envelope, mechanism, auth_data) -> AuthResult:
            return AuthResult(success=True)

        self.port = free_port()
        self._controller = Controller(object(), hostname="127.0.0.1", port=self.port, authenticator=anyone,
                                      auth_require_tls=False)
        self._controller.start()
        return self.port

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()
