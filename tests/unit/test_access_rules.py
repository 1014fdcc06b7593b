"""The access rules as pure functions: roles, shares, membership changes, input checks."""

from __future__ import annotations

import pytest

from server.domain.access import (
    Access, Action, Forbidden, NotFound, Role, ShareLevel, board_access, check_membership_change, permit,
    require_write,
)
from server.domain.accounts import InvalidInput, check_password, normalise_email
from server.domain.throttle import Rule, key


@pytest.mark.parametrize(("role", "share", "expected"), [
    (Role.OWNER, None, Access.WRITE),
    (Role.ADMIN, None, Access.WRITE),
    (Role.MEMBER, None, Access.WRITE),
    (Role.VIEWER, None, Access.READ),
    (None, ShareLevel.EDIT, Access.WRITE),
    (None, ShareLevel.READ, Access.READ),
    (Role.VIEWER, ShareLevel.EDIT, Access.WRITE),
    (Role.MEMBER, ShareLevel.READ, Access.WRITE),
], ids=lambda v: str(v))
def test_board_access_is_the_best_of_role_and_share(role, share, expected):
    assert board_access(role, share) is expected


def test_no_role_and_no_share_is_not_found_not_forbidden():
    with pytest.raises(NotFound):
        board_access(None, None)


def test_read_access_refuses_writes():
    require_write(Access.WRITE)
    with pytest.raises(Forbidden, match="expected edit access"):
        require_write(Access.READ)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.name)
def test_non_members_cannot_tell_a_workspace_exists(action):
    with pytest.raises(NotFound):
        permit(None, action)


def test_viewers_view_members_create_boards_and_admins_manage():
    assert permit(Role.VIEWER, Action.VIEW) is Role.VIEWER
    with pytest.raises(Forbidden, match="member or above may create boards; you are a viewer"):
        permit(Role.VIEWER, Action.CREATE_BOARD)
    permit(Role.MEMBER, Action.CREATE_BOARD)
    with pytest.raises(Forbidden):
        permit(Role.MEMBER, Action.MANAGE_MEMBERS)
    for action in (Action.MANAGE_MEMBERS, Action.SHARE_BOARDS, Action.READ_AUDIT):
        permit(Role.ADMIN, action)


@pytest.mark.parametrize(("actor", "current", "new", "allowed"), [
    (Role.OWNER, Role.MEMBER, Role.ADMIN, True),
    (Role.OWNER, Role.ADMIN, None, True),
    (Role.OWNER, None, Role.OWNER, True),
    (Role.ADMIN, Role.MEMBER, Role.VIEWER, True),
    (Role.ADMIN, None, Role.MEMBER, True),
    (Role.ADMIN, Role.VIEWER, None, True),
    (Role.ADMIN, Role.MEMBER, Role.ADMIN, False),
    (Role.ADMIN, Role.ADMIN, Role.MEMBER, False),
    (Role.ADMIN, Role.OWNER, None, False),
    (Role.ADMIN, None, Role.ADMIN, False),
    (Role.MEMBER, Role.VIEWER, Role.MEMBER, False),
    (Role.VIEWER, None, Role.VIEWER, False),
], ids=lambda v: str(v))
def test_who_may_change_whose_role(actor, current, new, allowed):
    change = lambda: check_membership_change(actor, current, new, is_self=False, owners=2)  # noqa: E731
    if allowed:
        change()
    else:
        with pytest.raises(Forbidden):
            change()


def test_anyone_may_leave_but_the_last_owner_stays():
    check_membership_change(Role.VIEWER, Role.VIEWER, None, is_self=True, owners=1)
    check_membership_change(Role.OWNER, Role.OWNER, None, is_self=True, owners=2)
    with pytest.raises(Forbidden, match="at least one owner"):
        check_membership_change(Role.OWNER, Role.OWNER, None, is_self=True, owners=1)
    with pytest.raises(Forbidden, match="at least one owner"):
        check_membership_change(Role.OWNER, Role.OWNER, Role.ADMIN, is_self=True, owners=1)


def test_emails_are_normalised_and_bad_ones_named():
    assert normalise_email("  Ada@Example.COM ") == "ada@example.com"
    with pytest.raises(InvalidInput, match="expected an e-mail address.*'ada'"):
        normalise_email("ada")


def test_passwords_have_a_length_range():
    assert check_password("x" * 10) == "x" * 10
    with pytest.raises(InvalidInput, match="10 to 256 characters, got 3"):
        check_password("abc")
    with pytest.raises(InvalidInput):
        check_password("x" * 257)


def test_throttle_delays_start_after_the_free_attempts_and_double_up_to_the_longest():
    rule = Rule(free=3, first_delay=2, longest=10)
    assert rule.delays() == [2, 4, 8, 10]
    assert [rule.wait_after(n) for n in range(8)] == [0, 0, 0, 2, 4, 8, 10, 10]
    assert Rule(free=1, first_delay=5, longest=5).delays() == [5]
    assert Rule(free=3, first_delay=2, longest=10).forget_after == 20


def test_throttle_keys_are_case_blind_and_bounded():
    assert key(" Ada@Example.com ", "10.0.0.1") == "ada@example.com 10.0.0.1"
    assert len(key("x" * 1000, "10.0.0.1")) == 320
