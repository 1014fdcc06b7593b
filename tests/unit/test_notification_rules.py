"""The rules of notification settings (``server.domain.notification_settings``): channels per kind,
the digest's period (hourly in UTC, daily once the user's hour has come in their zone), who follows
a deal, and the mention ids a note carries."""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import uuid4

import pytest

from server.domain.accounts import InvalidInput
from server.domain.notification_settings import (
    NotificationPrefs, channel, checked, digest_period, followers, mentioned_ids,
)


def test_a_kind_goes_to_the_bell_unless_the_user_chose_otherwise():
    prefs = NotificationPrefs({"mentioned": "email", "reminder": "off"})
    assert [channel(prefs, k) for k in ("mentioned", "reminder", "assigned", "automation")] == [
        "email", "off", "in_app", "in_app"]
    assert channel(NotificationPrefs({"automation": "off"}), "automation") == "in_app", "a rule's message always"


def test_settings_are_refused_naming_the_field():
    for args, field in [(({"mentioned": "pigeon"}, "off", 8, "UTC"), "channels.mentioned"),
                        (({"gossip": "email"}, "off", 8, "UTC"), "channels"),
                        (({}, "weekly", 8, "UTC"), "digest"),
                        (({}, "daily", 24, "UTC"), "digest_hour"),
                        (({}, "daily", 8, "Mars/Olympus"), "time_zone")]:
        with pytest.raises(InvalidInput, match=field):
            checked(*args)


def test_the_hourly_digest_is_due_once_per_utc_hour():
    prefs = NotificationPrefs({}, "hourly")
    assert digest_period(prefs, datetime(2026, 12, 6, 18, 2, tzinfo=timezone.utc)) == "2026-12-06T18"
    assert digest_period(prefs, datetime(2026, 12, 6, 18, 59, tzinfo=timezone.utc)) == "2026-12-06T18"
    assert digest_period(NotificationPrefs({}), datetime(2026, 12, 6, 18, tzinfo=timezone.utc)) is None


def test_the_daily_digest_is_due_from_the_chosen_hour_of_the_users_own_day():
    berlin = NotificationPrefs({}, "daily", 8, "Europe/Berlin")
    assert digest_period(berlin, datetime(2026, 12, 6, 6, 30, tzinfo=timezone.utc)) is None, "07:30 in Berlin"
    assert digest_period(berlin, datetime(2026, 12, 6, 7, 2, tzinfo=timezone.utc)) == "2026-12-06"
    assert digest_period(berlin, datetime(2026, 12, 6, 23, 30, tzinfo=timezone.utc)) is None, "00:30 on the 7th"
    assert digest_period(berlin, datetime(2026, 12, 7, 7, 5, tzinfo=timezone.utc)) == "2026-12-07"
    late = NotificationPrefs({}, "daily", 8, "America/New_York")
    assert digest_period(late, datetime(2026, 12, 7, 3, tzinfo=timezone.utc)) == "2026-12-06", "22:00 on the 6th"


def test_the_owner_follows_unless_they_chose_not_to_and_others_when_they_chose_to():
    owner, fan, quitter = uuid4(), uuid4(), uuid4()
    assert followers(owner, {}) == {owner}
    assert followers(owner, {fan: True, quitter: False}) == {owner, fan}
    assert followers(owner, {owner: False, fan: True}) == {fan}
    assert followers(None, {}) == set()


def test_only_mention_ids_that_are_user_ids_count():
    a = uuid4()
    assert mentioned_ids([str(a), "not-an-id", 42, str(a)]) == {a}
