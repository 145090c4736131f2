import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def validate_country_code(value: str) -> None:
    """ISO 3166-1 alpha-2, e.g. NL."""
    if not isinstance(value, str) or len(value) != 2 or pycountry.countries.get(alpha_2=value.upper()) is None:
        raise ValidationError(_("“%(value)s” is not an ISO 3166-1 alpha-2 country code."), params={"value": value})
