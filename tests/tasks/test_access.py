"""The scoping helpers every view uses: who sees which assignment, submission, evidence and request."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from tasks import access
from tasks.models import ExtensionRequest


def test_lead_and_inspector_see_every_assignment(cast):
    everything = {cast.finance_assignment.pk, cast.street_assignment.pk}
    assert set(access.assignments_for(cast.lead).values_list("pk", flat=True)) == everything
    assert set(access.assignments_for(cast.inspector).values_list("pk", flat=True)) == everything


def test_liaison_sees_own_unit_only(cast):
    assert list(access.assignments_for(cast.street_user)) == [cast.street_assignment]
    assert list(access.assignments_for(cast.finance_user)) == [cast.finance_assignment]
    assert list(access.assignments_for(cast.outsider)) == []


def test_unit_cannot_see_other_units_assignment(cast):
    with pytest.raises(Http404):
        access.get_assignment_for_user(cast.finance_user, cast.street_assignment.pk)
    assert access.get_assignment_for_user(cast.street_user, cast.street_assignment.pk) == cast.street_assignment


def test_inspector_reads_but_cannot_write(cast):
    assert access.get_assignment_for_user(cast.inspector, cast.street_assignment.pk) == cast.street_assignment
    with pytest.raises(PermissionDenied):
        access.get_assignment_for_user(cast.inspector, cast.street_assignment.pk, write=True)
    assert access.get_assignment_for_user(cast.lead, cast.street_assignment.pk, write=True)


def test_outsider_gets_404_even_for_writes(cast):
    """Existence is not revealed: the 404 comes before any 403."""
    with pytest.raises(Http404):
        access.get_assignment_for_user(cast.finance_user, cast.street_assignment.pk, write=True)


def test_submissions_evidence_and_requests_follow_their_assignment(cast, submit_with):
    submission = submit_with(cast.street_assignment, cast.street_user)
    evidence = submission.evidence.get()
    request = ExtensionRequest.objects.create(assignment=cast.street_assignment, requested_by=cast.street_user,
                                              requested_due_on=cast.street_assignment.due_on, reason="理由")
    for getter, obj in ((access.get_submission_for_user, submission), (access.get_evidence_for_user, evidence),
                        (access.get_extension_request_for_user, request)):
        assert getter(cast.street_user, obj.pk) == obj
        assert getter(cast.lead, obj.pk) == obj
        assert getter(cast.inspector, obj.pk) == obj
        with pytest.raises(Http404):
            getter(cast.finance_user, obj.pk)
        with pytest.raises(PermissionDenied):
            getter(cast.inspector, obj.pk, write=True)


def test_lead_only_and_liaison_only_actions(cast):
    access.require_lead(cast.lead)
    for user in (cast.inspector, cast.street_user):
        with pytest.raises(PermissionDenied):
            access.require_lead(user)
    access.require_liaison(cast.street_user)
    for user in (cast.inspector, cast.lead):
        with pytest.raises(PermissionDenied):
            access.require_liaison(user)


def test_missing_id_is_404(cast):
    with pytest.raises(Http404):
        access.get_assignment_for_user(cast.lead, 999999)
