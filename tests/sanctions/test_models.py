"""Curated vessel records reject identifiers that reported data only warns about."""
import pytest
from django.core.exceptions import ValidationError

from sanctions.models import Vessel, VesselIdentityPeriod


@pytest.mark.django_db
@pytest.mark.parametrize("imo", ["9074728", "907472", "IMO 9074729"])
def test_vessel_rejects_bad_or_unnormalised_imo(imo):
    with pytest.raises(ValidationError) as error:
        Vessel(name="X", imo_number=imo).full_clean()
    assert "imo_number" in error.value.message_dict


@pytest.mark.django_db
def test_vessel_accepts_valid_identifiers_and_dated_identities():
    vessel = Vessel(name="SAEBYOL", imo_number="8916293", mmsi="445123456", call_sign="HMYZ3", flag="KP")
    vessel.full_clean()
    vessel.save()
    period = VesselIdentityPeriod(vessel=vessel, name="CHONG RIM 2", flag="KP", basis="list",
                                  valid_from="2017-01-01", valid_to="2016-01-01")
    with pytest.raises(ValidationError):
        period.full_clean()


@pytest.mark.django_db
@pytest.mark.parametrize("field,value", [("mmsi", "12345678"), ("call_sign", "H")])
def test_vessel_rejects_malformed_radio_identifiers(field, value):
    with pytest.raises(ValidationError) as error:
        Vessel(name="X", **{field: value}).full_clean()
    assert field in error.value.message_dict
