"""Reads shared by the API, the desk and screening: who else designates a designee."""
from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sanctions.models import DesigneeLink, ListEntry, ListSource
from sanctions.selectors import designating_lists, same_designee_ids

pytestmark = pytest.mark.django_db


def entries(count: int) -> list[ListEntry]:
    sources = [ListSource.objects.get(slug=slug) for slug in ("un-sc", "ofac-sdn", "uk-ofsi", "eu-fsf")]
    return [ListEntry.objects.create(source=sources[number % len(sources)], external_id=str(number),
                                     reference_number=f"REF.{number:03d}", kind="entity",
                                     primary_name=f"TEST ENTITY {number}") for number in range(count)]


def link(one: ListEntry, other: ListEntry, status: str = "confirmed") -> None:
    low, high = sorted((one, other), key=lambda entry: entry.pk)
    DesigneeLink.objects.create(entry=low, other=high, basis="un_reference", status=status)


def test_groups_follow_links_from_list_to_list_and_only_confirmed_ones():
    a, b, c, d, e, f, g = entries(7)
    link(a, b)
    link(b, c)  # a and c are one designee through b, though never linked to each other
    link(d, e)
    link(e, f, status="proposed")  # a proposal joins nothing until an analyst confirms it

    groups = same_designee_ids([c.pk, d.pk, g.pk])

    assert groups == {c.pk: {a.pk, b.pk, c.pk}, d.pk: {d.pk, e.pk}, g.pk: {g.pk}}


def test_the_queries_follow_the_longest_chain_not_the_number_of_entries():
    made = entries(40)
    chains = [made[start:start + 4] for start in range(0, 40, 4)]  # ten designees, each on four lists
    for chain in chains:
        for one, other in zip(chain, chain[1:]):
            link(one, other)

    with CaptureQueriesContext(connection) as one_entry:
        one_group = same_designee_ids([chains[0][0].pk])
    with CaptureQueriesContext(connection) as ten_entries:
        ten_groups = same_designee_ids([chain[0].pk for chain in chains])

    assert one_group == {chains[0][0].pk: {entry.pk for entry in chains[0]}}
    assert ten_groups == {chain[0].pk: {entry.pk for entry in chain} for chain in chains}
    # from the first of a chain of four: three links to follow, then one read that finds no more
    assert len(one_entry) == len(ten_entries) == 4


def test_designating_lists_put_the_entry_first_then_the_others_by_list():
    un, ofac, uk, eu = entries(4)
    link(un, uk)
    link(uk, ofac)
    link(eu, ofac)

    listed = designating_lists([uk.pk])[uk.pk]

    assert [(entry.source.slug, entry.pk) for entry in listed] == [
        ("uk-ofsi", uk.pk), ("eu-fsf", eu.pk), ("ofac-sdn", ofac.pk), ("un-sc", un.pk)]
