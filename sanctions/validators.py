"""Django field validators over the pure identifier checks: curated records reject what
reported data only warns about."""
from django.core.exceptions import ValidationError

from . import identifiers


def _raise_if_invalid(result: identifiers.CheckResult) -> None:
    if not result.valid:
        raise ValidationError(result.error, code="invalid")


def validate_imo_number(value: str) -> None:
    result = identifiers.check_imo(value)
    _raise_if_invalid(result)
    if result.normalized != value:
        raise ValidationError(f"Store the IMO number as its 7 digits: {result.normalized}", code="not_normalized")


def validate_mmsi(value: str) -> None:
    _raise_if_invalid(identifiers.check_mmsi(value))


def validate_call_sign(value: str) -> None:
    _raise_if_invalid(identifiers.check_call_sign(value))
