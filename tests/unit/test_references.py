"""Which references a request makes, and the refusal of those its workspace does not hold (issue 13)."""

from __future__ import annotations

from uuid import uuid4

import pytest

from server.api.errors import HTTP_STATUS
from server.domain.accounts import InvalidInput
from server.domain.references import Reference, RecordKind, UnknownReference, references_in, require_found

FIELDS = {"contact": RecordKind.CONTACT, "organisation": RecordKind.ORGANISATION}


def test_only_fields_that_set_an_id_are_references():
    contact = uuid4()
    assert references_in({"contact": contact, "organisation": None, "title": "x"}, FIELDS) == [
        Reference("contact", RecordKind.CONTACT, contact)]
    assert references_in({"title": "x"}, FIELDS) == []


def test_a_reference_the_workspace_does_not_hold_is_refused_naming_the_field():
    contact, organisation = uuid4(), uuid4()
    references = references_in({"contact": contact, "organisation": organisation}, FIELDS)
    require_found(references, {(RecordKind.CONTACT, contact), (RecordKind.ORGANISATION, organisation)})
    with pytest.raises(UnknownReference, match="^organisation: no such organisation in this workspace$"):
        require_found(references, {(RecordKind.CONTACT, contact)})


def test_an_id_of_the_right_value_but_the_wrong_kind_does_not_count():
    same = uuid4()
    with pytest.raises(UnknownReference, match="^contact: no such contact"):
        require_found([Reference("contact", RecordKind.CONTACT, same)], {(RecordKind.ORGANISATION, same)})


def test_an_unknown_reference_is_bad_input_with_its_own_status():
    assert issubclass(UnknownReference, InvalidInput)
    assert (HTTP_STATUS[InvalidInput], HTTP_STATUS[UnknownReference]) == (400, 422)
