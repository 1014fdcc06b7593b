"""Notification settings (``/api/me/notification-settings``), following a deal
(``/api/boards/{board}/deals/{card}/follow``) and who a note may @mention
(``/api/boards/{board}/mentionable``) — issue 18 item 3, docs/notifications.md."""

from __future__ import annotations

from uuid import UUID

import msgspec
from litestar import Controller, get, put
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

from server.api import notification_setting_types as types
from server.api.auth import CallerDep
from server.domain.notification_settings import KINDS, NotificationPrefs, channel
from server.services.notification_settings import Following, NotificationSettingsService

NotificationSettingsDep = NamedDependency[NotificationSettingsService]


def _answer(prefs: NotificationPrefs, mail: bool) -> types.NotificationSettingsAnswer:
    channels = types.Channels(**{kind: channel(prefs, kind) for kind in KINDS})
    return types.NotificationSettingsAnswer(channels=channels, digest=prefs.digest,  # type: ignore[arg-type]
                                            digest_hour=prefs.digest_hour, time_zone=prefs.time_zone,
                                            mail_configured=mail)


def _following(found: Following) -> types.Following:
    return types.Following(following=found.following, owner=found.owner)


class NotificationSettingsController(Controller):
    path = "/api"
    tags = ["notifications"]

    @get("/me/notification-settings", summary="What arrives where: per kind bell, e-mail or off, and the digest")
    async def get_notification_settings(self, caller: CallerDep, notification_settings: NotificationSettingsDep,
                                        ) -> types.NotificationSettingsAnswer:
        return _answer(await notification_settings.settings(caller), notification_settings.mail_configured)

    @put("/me/notification-settings", summary="Replace your notification settings")
    async def put_notification_settings(self, data: JSONBody[types.NotificationSettings], caller: CallerDep,
                                        notification_settings: NotificationSettingsDep,
                                        ) -> types.NotificationSettingsAnswer:
        prefs = await notification_settings.change(caller, msgspec.to_builtins(data.channels), data.digest,
                                                   data.digest_hour, data.time_zone)
        return _answer(prefs, notification_settings.mail_configured)

    @get("/boards/{board:uuid}/deals/{card:uuid}/follow", summary="Whether you follow the deal")
    async def get_following(self, board: FromPath[UUID], card: FromPath[UUID], caller: CallerDep,
                            notification_settings: NotificationSettingsDep) -> types.Following:
        return _following(await notification_settings.following(caller, board, card))

    @put("/boards/{board:uuid}/deals/{card:uuid}/follow",
         summary="Follow the deal (its stage changes, won and lost notify you) or stop following it")
    async def put_following(self, board: FromPath[UUID], card: FromPath[UUID], data: JSONBody[types.Follow],
                            caller: CallerDep, notification_settings: NotificationSettingsDep) -> types.Following:
        return _following(await notification_settings.follow(caller, board, card, data.following))

    @get("/boards/{board:uuid}/mentionable", summary="Who a note on the board may @mention: members and guests of it")
    async def mentionable(self, board: FromPath[UUID], caller: CallerDep,
                          notification_settings: NotificationSettingsDep) -> list[types.Person]:
        return [types.Person(id=u.id, name=u.name) for u in await notification_settings.mentionable(caller, board)]
