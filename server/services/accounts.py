"""Accounts: sign-up, sign-in, sessions, sign-out, password change and reset, disabling.

Sign-in is throttled per account and address and per address, sign-up per address, reset
requests per account and per address (``server.domain.throttle``); each attempt is counted
before its password is hashed or its mail sent, so parallel requests cannot slip past the count.

Every change that can take access away is announced in its own transaction (``announce``), so
every node re-checks the affected open sockets once it commits (``server.services.sockets``).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple
from uuid import UUID

from server.domain.accounts import (
    Conflict, Identity, InvalidInput, Throttled, Unauthenticated,
    check_locale, check_name, check_password, normalise_email,
)
from server.domain.system_mail import Count, render
from server.domain.throttle import ADDRESS_FACTOR, Rule, Scope, key
from server.services.credentials import Passwords, hash_token, new_token
from server.services.mail import Mail, Outbox
from server.services.throttle import Throttle

if TYPE_CHECKING:
    from server.services.ports.unit import Begin, Unit
    from server.settings import Settings

WRONG = "wrong e-mail or password"


class Caller(NamedTuple):
    """Who is calling, through which session (its hash), valid until ``expires_at``."""

    id: UUID
    email: str
    name: str
    session: bytes
    expires_at: datetime
    locale: str | None = None  # the language the user chose in the app ("en", "de"), None if never

    @property
    def identity(self) -> Identity:
        return Identity(self.id, self.name)


class SignedIn(NamedTuple):
    token: str
    caller: Caller


class Policy(NamedTuple):
    session_ttl: float
    reset_ttl: float
    max_failures: int  # sign-ins for one account from one address before delays begin (10x per address)
    longest_delay: float  # delays double up to this; a counter left alone twice as long is forgotten
    sign_ups_per_address: int = 20
    resets_per_account: int = 3  # reset mails to one account before delays begin (10x per address)
    first_delay: float = 2.0

    @classmethod
    def of(cls, settings: Settings) -> Policy:
        return cls(settings.session_ttl_seconds, settings.reset_ttl_seconds, settings.sign_in_max_failures,
                   settings.throttle_max_delay_seconds, settings.sign_ups_per_address, settings.resets_per_account,
                   settings.throttle_delay_seconds)

    def rules(self) -> dict[Scope, Rule]:
        def rule(free: int) -> Rule:
            return Rule(free, self.first_delay, self.longest_delay)

        return {Scope.SIGN_IN: rule(self.max_failures), Scope.SIGN_IN_ADDRESS: rule(ADDRESS_FACTOR * self.max_failures),
                Scope.SIGN_UP_ADDRESS: rule(self.sign_ups_per_address), Scope.RESET: rule(self.resets_per_account),
                Scope.RESET_ADDRESS: rule(ADDRESS_FACTOR * self.resets_per_account)}


class Accounts:
    """The account use cases."""

    def __init__(self, begin: Begin, passwords: Passwords, outbox: Outbox, policy: Policy) -> None:
        self._begin, self._passwords, self._outbox, self._policy = begin, passwords, outbox, policy
        self._throttle = Throttle(begin, policy.rules())

    async def sign_up(self, email: str, password: str, name: str, address: str) -> SignedIn:
        email, name, password = normalise_email(email), check_name(name), check_password(password)
        await self._throttle.attempt((Scope.SIGN_UP_ADDRESS, key(address)), refused="too many sign-ups from here")
        password_hash = await self._passwords.hash(password)
        async with self._begin() as unit:
            user = await unit.users.add(email, name, password_hash)
            if user is None:
                raise Conflict(f"an account for {email} exists: sign in, or reset its password")
            await unit.audit.record("account.created", actor=user.id, subject=user.id, address=address)
            return await self._start_session(unit, user.id, email, name)

    async def sign_in(self, email: str, password: str, address: str) -> SignedIn:
        email = email.strip().lower()
        pair, here = (Scope.SIGN_IN, key(email, address)), (Scope.SIGN_IN_ADDRESS, key(address))
        await self._throttle.attempt(pair, here, refused="too many failed sign-ins")
        async with self._begin(autocommit=True) as unit:
            user = await unit.users.by_email(email)
        verified = await self._passwords.verify(user.password_hash if user else None, password)
        if user is None or not verified:
            await self._failed(email, address, user.id if user else None)
            raise Unauthenticated(WRONG)
        if user.disabled_at is not None:
            raise Unauthenticated("this account is disabled")
        await self._throttle.succeeded(forgive=pair, refund=here)
        rehash = await self._passwords.hash(password) if self._passwords.needs_rehash(user.password_hash) else None
        async with self._begin() as unit:
            if rehash:
                await unit.users.set_password(user.id, rehash)
            await unit.audit.record("sign_in", actor=user.id, subject=user.id, address=address)
            return await self._start_session(unit, user.id, email, user.name, user.locale)

    async def _failed(self, email: str, address: str, user: UUID | None) -> None:
        async with self._begin() as unit:
            await unit.audit.record("sign_in.failed", subject=user, address=address, email=email)

    async def _start_session(self, unit: Unit, user: UUID, email: str, name: str,
                             locale: str | None = None) -> SignedIn:
        token, token_hash = new_token()
        expires_at = await unit.sessions.start(token_hash, user, self._policy.session_ttl)
        return SignedIn(token, Caller(user, email, name, token_hash, expires_at, locale))

    async def authenticate(self, token: str | None) -> Caller:
        """The caller behind a session token; raises ``Unauthenticated``."""
        if not token:
            raise Unauthenticated("expected a session: sign in, then send its cookie or "
                                  "'Authorization: Bearer <token>'")
        return await self.caller(hash_token(token))

    async def caller(self, session: bytes) -> Caller:
        async with self._begin(autocommit=True) as unit:
            live = await unit.sessions.live(session)
        if live is None:
            raise Unauthenticated("the session is unknown, expired or signed out: sign in again")
        return Caller(live.user.id, live.user.email, live.user.name, session, live.expires_at, live.locale)

    async def set_locale(self, caller: Caller, locale: object) -> Caller:
        """Remember the caller's language for every browser they sign in from; raises ``UnknownLocale``."""
        chosen = check_locale(locale)
        async with self._begin() as unit:
            await unit.users.set_locale(caller.id, chosen)
        return caller._replace(locale=chosen)

    async def sign_out(self, caller: Caller, address: str) -> None:
        async with self._begin() as unit:
            await unit.sessions.end(caller.session)
            await unit.audit.record("sign_out", actor=caller.id, subject=caller.id, address=address)
            await unit.audit.announce(session=caller.session)

    async def change_password(self, caller: Caller, current: str, new: str, address: str) -> None:
        """Set a new password; every other session of the caller ends."""
        check_password(new)
        async with self._begin() as unit:
            user = await unit.users.by_id(caller.id)
        if user is None or not await self._passwords.verify(user.password_hash, current):
            raise InvalidInput("expected your current password; the one given does not match")
        new_hash = await self._passwords.hash(new)
        async with self._begin() as unit:
            await unit.users.set_password(caller.id, new_hash)
            await unit.sessions.end_others(caller.id, caller.session)
            await unit.audit.record("password.changed", actor=caller.id, subject=caller.id, address=address)
            await unit.audit.announce(user=caller.id)

    async def request_reset(self, email: str, address: str) -> None:
        """Mail a one-time reset link if the account exists; say nothing either way."""
        email = email.strip().lower()
        await self._throttle.attempt((Scope.RESET, key(email)), (Scope.RESET_ADDRESS, key(address)),
                                     refused="too many password reset requests")
        async with self._begin() as unit:
            user = await unit.users.by_email(email)
            if user is None or user.disabled_at is not None:
                return
            token = await self._new_reset(unit, user.id, address)
            minutes = Count(self.reset_minutes, "minute")
            await self._outbox.post(unit, Mail.of(email, render("password_reset", user.locale,
                                                                {"minutes": minutes, "token": token},
                                                                self.reset_link(token))))

    async def operator_reset(self, email: str) -> str | None:
        """A reset link for ``email`` made by the server's operator (``python -m server reset-link``,
        for a server that sends no mail); None without such an enabled account."""
        async with self._begin() as unit:
            user = await unit.users.by_email(email.strip().lower())
            if user is None or user.disabled_at is not None:
                return None
            return self.reset_link(await self._new_reset(unit, user.id, "operator"))

    async def _new_reset(self, unit: Unit, user: UUID, address: str) -> str:
        token, token_hash = new_token()
        await unit.resets.add(token_hash, user, self._policy.reset_ttl)
        await unit.audit.record("password.reset_requested", subject=user, address=address)
        return token

    def reset_link(self, token: str) -> str:
        """The app's page for ``token`` (client/web/src/views/PasswordReset.tsx) on the public URL."""
        return self._outbox.link(f"/reset/{token}")

    @property
    def reset_minutes(self) -> int:
        """How long a mailed reset link works, in whole minutes (said in the mail and the app)."""
        return max(1, round(self._policy.reset_ttl / 60))

    @property
    def mail_configured(self) -> bool:
        """Whether reset mails leave the server (``TANDEM_SMTP_URL``)."""
        return self._outbox.delivers

    async def reset_password(self, token: str, password: str, address: str) -> None:
        """Use a reset token once: set the password and end every session of the account, in one
        transaction (the account's other reset links die with it). Only a valid token gets its
        password hashed (no argon2 work for guessed tokens); a failing hash rolls the take back."""
        check_password(password)
        async with self._begin() as unit:
            user = await unit.resets.take(hash_token(token))
            if user is None:
                raise InvalidInput("expected a valid reset token; this one is unknown, used or expired")
            await unit.users.set_password(user, await self._passwords.hash(password))
            await unit.sessions.end_others(user, None)
            await unit.audit.record("password.reset", subject=user, address=address)
            await unit.audit.announce(user=user)

    async def disable(self, user: UUID, actor: UUID | None = None) -> None:
        """Disable an account: it cannot sign in, and its sessions and sockets end."""
        async with self._begin() as unit:
            await unit.users.disable(user)
            await unit.sessions.end_others(user, None)
            await unit.audit.record("account.disabled", actor=actor, subject=user)
            await unit.audit.announce(user=user)

    async def user_id(self, email: str) -> UUID | None:
        async with self._begin() as unit:
            user = await unit.users.by_email(email.strip().lower())
        return user.id if user else None
