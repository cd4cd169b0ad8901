"""Field validators for what reporters enter, where the screening relies on a shape."""
from django.core.exceptions import ValidationError


def _json_type(value) -> str:
    if isinstance(value, str):  # the admin's JSON box gives a str subclass
        return "a string"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, bool):
        return "true or false"
    return "a number" if isinstance(value, (int, float)) else "that"


def validate_aliases(value) -> None:
    """A list of names. A bare string (the admin's JSON box takes any JSON) would be screened one
    character at a time."""
    if not isinstance(value, list):
        raise ValidationError('Give the aliases as a list of names, e.g. ["Pak Yong Sik"], not %(given)s.',
                              code="not_a_list", params={"given": _json_type(value)})
    for position, alias in enumerate(value, start=1):
        if not isinstance(alias, str) or not alias.strip():
            raise ValidationError("Alias %(position)s is not a name: each alias must be a non-empty string.",
                                  code="not_a_name", params={"position": position})
