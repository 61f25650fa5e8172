"""The constraints of flows and their versions."""

import pytest
from django.db import IntegrityError

from fabflow.flows.models import FlowVersion, ImmutableFieldError, OrderFlow


def make_flow(space, name="Ring production"):
    return OrderFlow.objects.create(
        organization_id=space.organization_id, space=space, key="ring-production", name=name
    )


def test_flow_names_have_at_least_five_characters(space):
    with pytest.raises(IntegrityError):
        make_flow(space, name="Ring")


def test_flow_name_key_and_space_never_change(space, other_space):
    flow = make_flow(space)
    flow.name = "Renamed flow"
    with pytest.raises(ImmutableFieldError):
        flow.save()
    flow.refresh_from_db()
    flow.space = other_space
    with pytest.raises(ImmutableFieldError):
        flow.save()
    flow.refresh_from_db()
    assert (flow.name, flow.space_id) == ("Ring production", space.pk)


def test_flow_keys_are_unique_per_space(space):
    make_flow(space)
    with pytest.raises(IntegrityError):
        make_flow(space)


def test_flow_versions_are_immutable(space):
    version = FlowVersion.objects.create(flow=make_flow(space), number=1, definition=[])
    version.definition = [{"key": "x"}]
    with pytest.raises(ImmutableFieldError):
        version.save()
    assert FlowVersion.objects.get(pk=version.pk).definition == []
