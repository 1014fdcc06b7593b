"""The permission levels an admin sets, and what erasure looks for in free text (pure rules)."""

from __future__ import annotations

import uuid

import pytest

from server.domain.access import Forbidden, NotFound, Role
from server.domain.erasure import ERASED, PersonalData, holds_any, personal_strings, redact
from server.domain.permissions import (
    DEFAULT, DeleteLevel, ExportLevel, InvalidSetting, Permissions, may_change, may_delete, may_erase, may_export,
    parse_permissions, what_role_may,
)

ME, SOMEONE = uuid.uuid4(), uuid.uuid4()


def test_by_default_members_delete_only_what_they_own_and_do_not_export():
    assert DEFAULT == Permissions(DeleteLevel.MEMBERS_OWN, ExportLevel.ADMINS)
    may_delete(Role.MEMBER, DEFAULT, owner=ME, caller=ME)
    with pytest.raises(Forbidden, match="only contacts they own"):
        may_delete(Role.MEMBER, DEFAULT, owner=SOMEONE, caller=ME, what="contacts")
    with pytest.raises(Forbidden, match="only contacts they own"):
        may_delete(Role.MEMBER, DEFAULT, owner=None, caller=ME, what="contacts")
    with pytest.raises(Forbidden, match="only admins and owners export; you are a member"):
        may_export(Role.MEMBER, DEFAULT)


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OWNER])
@pytest.mark.parametrize("level", list(DeleteLevel))
def test_admins_and_owners_delete_anything_and_export_whatever_the_levels(role, level):
    permissions = Permissions(level, ExportLevel.ADMINS)
    may_delete(role, permissions, owner=SOMEONE, caller=ME)
    may_export(role, permissions)
    may_erase(role)
    may_change(role)


def test_the_members_level_lets_members_delete_others_records_and_export():
    open_ = Permissions(DeleteLevel.MEMBERS, ExportLevel.MEMBERS)
    may_delete(Role.MEMBER, open_, owner=SOMEONE, caller=ME)
    may_export(Role.MEMBER, open_)


def test_the_admins_level_stops_members_deleting_even_their_own():
    with pytest.raises(Forbidden, match="only admins and owners delete"):
        may_delete(Role.MEMBER, Permissions(DeleteLevel.ADMINS), owner=ME, caller=ME)


@pytest.mark.parametrize("permissions", [Permissions(DeleteLevel.MEMBERS, ExportLevel.MEMBERS), DEFAULT])
def test_viewers_never_delete_export_erase_or_change_the_levels(permissions):
    for check in (lambda: may_delete(Role.VIEWER, permissions, owner=ME, caller=ME),
                  lambda: may_export(Role.VIEWER, permissions), lambda: may_erase(Role.VIEWER),
                  lambda: may_change(Role.VIEWER)):
        with pytest.raises(Forbidden):
            check()


def test_members_may_not_erase_or_change_the_levels_and_guests_are_not_told_the_workspace_exists():
    with pytest.raises(Forbidden):
        may_erase(Role.MEMBER)
    with pytest.raises(Forbidden):
        may_change(Role.MEMBER)
    for check in (lambda: may_erase(None), lambda: may_export(None, DEFAULT), lambda: may_change(None),
                  lambda: may_delete(None, DEFAULT, owner=ME, caller=ME)):
        with pytest.raises(NotFound):
            check()


def test_what_a_role_may_is_what_the_checks_allow():
    assert what_role_may(Role.MEMBER, DEFAULT) == {"delete": "own", "export": False, "erase": False,
                                                   "change_permissions": False}
    assert what_role_may(Role.VIEWER, Permissions(DeleteLevel.MEMBERS, ExportLevel.MEMBERS))["delete"] == "none"
    assert what_role_may(Role.ADMIN, Permissions(DeleteLevel.ADMINS))["delete"] == "all"


def test_changes_apply_one_setting_at_a_time_and_bad_values_are_named():
    assert parse_permissions(DEFAULT, {"export": "members"}) == Permissions(DeleteLevel.MEMBERS_OWN,
                                                                            ExportLevel.MEMBERS)
    with pytest.raises(InvalidSetting, match=r"expected delete to be one of admins, members_own, members, "
                                             r"got 'everyone'") as bad:
        parse_permissions(DEFAULT, {"delete": "everyone"})
    assert bad.value.field == "delete"
    with pytest.raises(InvalidSetting, match=r"got \['admins'\]"):
        parse_permissions(DEFAULT, {"export": ["admins"]})
    with pytest.raises(InvalidSetting, match="expected settings among delete, export, got 'erase'"):
        parse_permissions(DEFAULT, {"erase": "members"})


PERSON = PersonalData(uuid.uuid4(), uuid.uuid4(), "Zelda", "Quixote", ("zelda@quixote.example",),
                      ("+49 170 555 0199", "12"), ("491705550199", "12"))


def test_personal_strings_are_names_emails_and_phones_longest_first():
    strings = personal_strings([PERSON, PersonalData(uuid.uuid4(), uuid.uuid4(), "Z")])
    assert strings[0] == "zelda@quixote.example"
    assert {"Zelda Quixote", "Quixote Zelda", "Zelda", "Quixote", "+49 170 555 0199", "491705550199"} <= set(strings)
    assert "Z" not in strings and "12" not in strings, "initials and short numbers would redact too much"


def test_redact_replaces_whole_words_in_any_case_and_leaves_the_rest():
    strings = personal_strings([PERSON])
    assert redact("Renewal for ZELDA quixote (zelda@quixote.example)", strings) == f"Renewal for {ERASED} ({ERASED})"
    assert redact("Zeldas and Quixotesque stay", strings) == "Zeldas and Quixotesque stay"
    assert redact("call +49 170 555 0199", strings) == f"call {ERASED}"
    assert redact("anything", []) == "anything"


def test_holds_any_finds_a_string_in_stored_bytes():
    assert holds_any(b"\x01\x02zelda@QUIXOTE.example\x00", ["zelda@quixote.example"])
    assert holds_any("Größe Zoë".encode(), ["Zoë"])
    assert not holds_any(b"nothing here", ["Zelda"])
