"""Validation and normalisation of ports and typed identifiers.

Check digits come from python-stdnum and phone numbers from phonenumbers, not hand-written
tables. Every failure is a ValidationError with a message an officer can act on.
"""
import re
from dataclasses import dataclass

import phonenumbers
import pycountry
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import imo, iso6346

from .choices import IdentifierKind

_LOCODE = re.compile(r"^[A-Z]{2}[A-Z2-9]{3}$")
_SEPARATORS = re.compile(r"[\s\-./]")
# EORI may carry XI (Northern Ireland) besides ISO country codes.
_EXTRA_EORI_PREFIXES = {"XI"}


def _is_country(code: str) -> bool:
    return pycountry.countries.get(alpha_2=code) is not None


def normalise_locode(value: str) -> str:
    """UN/LOCODE: a country code and three letters or digits 2-9, e.g. NLRTM or 'NL RTM'."""
    compact = _SEPARATORS.sub("", str(value or "")).upper()
    if not _LOCODE.match(compact):
        raise ValidationError(
            _("“%(value)s” is not a UN/LOCODE: expected a country code and three letters, e.g. NLRTM."),
            code="invalid_locode",
            params={"value": value},
        )
    if not _is_country(compact[:2]):
        raise ValidationError(
            _("“%(value)s” is not a UN/LOCODE: %(country)s is not a country code."),
            code="invalid_locode",
            params={"value": value, "country": compact[:2]},
        )
    return compact


def validate_locode(value: str) -> None:
    if normalise_locode(value) != value:
        raise ValidationError(_("Write the UN/LOCODE as five capitals without spaces, e.g. NLRTM."), code="invalid_locode")


@dataclass(frozen=True)
class NormalisedIdentifier:
    value: str
    check_digit_overridden: bool = False


def _compact(raw: str) -> str:
    return _SEPARATORS.sub("", raw).upper()


def _container(raw: str, override_reason: str) -> NormalisedIdentifier:
    number = _compact(raw)
    if not re.match(r"^[A-Z]{3}[UJZR]\d{7}$", number):
        raise ValidationError(
            _("“%(value)s” is not an ISO 6346 container number: expected an owner code of four letters "
              "ending in U, J, Z or R and seven digits, e.g. MSCU1234566."),
            code="invalid_format",
            params={"value": raw},
        )
    expected = iso6346.calc_check_digit(number[:10])
    if number[10] != expected:
        raise ValidationError(
            _("Container %(value)s has check digit %(given)s; ISO 6346 expects %(expected)s."),
            code="invalid_check_digit",
            params={"value": number, "given": number[10], "expected": expected},
        )
    return NormalisedIdentifier(number)


def _imo(raw: str, override_reason: str) -> NormalisedIdentifier:
    number = _compact(raw)
    number = number[3:] if number.startswith("IMO") else number
    if not re.match(r"^\d{7}$", number):
        raise ValidationError(
            _("“%(value)s” is not an IMO number: expected seven digits, e.g. IMO 9074729."),
            code="invalid_format",
            params={"value": raw},
        )
    expected = imo.calc_check_digit(number[:6])
    if number[6] != expected:
        if override_reason.strip():
            return NormalisedIdentifier(number, check_digit_overridden=True)
        raise ValidationError(
            _("IMO %(value)s has check digit %(given)s; the number implies %(expected)s. "
              "If the number is what the documents show, give an override reason to record it anyway."),
            code="invalid_check_digit",
            params={"value": number, "given": number[6], "expected": expected},
        )
    return NormalisedIdentifier(number)


def _eori(raw: str, override_reason: str) -> NormalisedIdentifier:
    number = _compact(raw)
    if not re.match(r"^[A-Z]{2}[A-Z0-9]{1,15}$", number) or not (
        _is_country(number[:2]) or number[:2] in _EXTRA_EORI_PREFIXES
    ):
        raise ValidationError(
            _("“%(value)s” is not an EORI number: expected a country code and up to 15 letters or digits, "
              "e.g. NL123456789."),
            code="invalid_format",
            params={"value": raw},
        )
    return NormalisedIdentifier(number)


def _phone(raw: str, override_reason: str, region: str | None = None) -> NormalisedIdentifier:
    """E.164. `region` is the country of the case's agency: a national number, or one dialled
    with that country's international prefix (`0031 …` from Belgium), is read as there. Without
    a region, the `00` prefix every EU country dials abroad stands for `+`."""
    message = _("“%(value)s” is not a valid phone number: give it in international format, e.g. +31 10 123 4567.")
    number = raw
    if not region and re.match(r"^\s*00[1-9]", number):
        number = "+" + number.lstrip()[2:]
    try:
        parsed = phonenumbers.parse(number, region.upper() if region else None)
    except phonenumbers.NumberParseException:
        raise ValidationError(message, code="invalid_format", params={"value": raw}) from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(message, code="invalid_format", params={"value": raw})
    return NormalisedIdentifier(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def _pattern(pattern: str, example: str, label: str):
    compiled = re.compile(pattern)

    def normalise(raw: str, override_reason: str) -> NormalisedIdentifier:
        number = _compact(raw)
        if not compiled.match(number):
            raise ValidationError(
                _("“%(value)s” is not a valid %(label)s, e.g. %(example)s."),
                code="invalid_format",
                params={"value": raw, "label": label, "example": example},
            )
        return NormalisedIdentifier(number)

    return normalise


_NORMALISERS = {
    IdentifierKind.CONTAINER: _container,
    IdentifierKind.IMO: _imo,
    IdentifierKind.EORI: _eori,
    IdentifierKind.PHONE: _phone,
    IdentifierKind.BILL_OF_LADING: _pattern(r"^[A-Z0-9]{4,35}$", "MAEU123456789", "bill of lading number"),
    IdentifierKind.SEAL: _pattern(r"^[A-Z0-9]{3,20}$", "ML-1234567", "seal number"),
    IdentifierKind.COMPANY_REGISTRATION: _pattern(r"^[A-Z0-9]{2,40}$", "KVK 12345678", "company registration"),
    IdentifierKind.VEHICLE_PLATE: _pattern(r"^[A-Z0-9]{2,12}$", "AB-123-C", "vehicle plate"),
}


def normalise_identifier(kind: str, raw: str, override_reason: str = "", region: str | None = None
                         ) -> NormalisedIdentifier:
    """Normalise `raw` for `kind`, or raise ValidationError naming what is wrong. `region`: the
    country (ISO 3166 alpha-2) of the case's agency, the default for phone numbers."""
    if kind not in _NORMALISERS:
        raise ValidationError(
            _("“%(kind)s” is not an identifier kind; use one of %(kinds)s."),
            code="invalid_kind",
            params={"kind": kind, "kinds": ", ".join(IdentifierKind.values)},
        )
    raw = str(raw or "").strip()
    if not raw:
        raise ValidationError(_("Give the identifier's value."), code="required")
    if len(raw) > 100:
        raise ValidationError(_("An identifier is at most 100 characters long."), code="max_length")
    if kind == IdentifierKind.PHONE:
        return _phone(raw, override_reason or "", region or None)
    return _NORMALISERS[kind](raw, override_reason or "")
