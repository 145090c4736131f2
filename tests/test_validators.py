"""Check digits and normalisation of typed identifiers and ports."""
import pytest
from django.core.exceptions import ValidationError

from cases.validators import normalise_identifier, normalise_locode


@pytest.mark.parametrize("raw,normalised", [
    ("CSQU3054383", "CSQU3054383"),
    ("MSCU 123456-6", "MSCU1234566"),
    ("tghu 949797 6", "TGHU9497976"),
])
def test_valid_container_numbers_are_normalised(raw, normalised):
    assert normalise_identifier("container", raw).value == normalised


def test_container_with_wrong_check_digit_names_the_expected_digit():
    with pytest.raises(ValidationError) as error:
        normalise_identifier("container", "CSQU3054384")
    assert "expects 3" in error.value.messages[0]


def test_container_check_digit_cannot_be_overridden():
    with pytest.raises(ValidationError):
        normalise_identifier("container", "CSQU3054384", override_reason="as printed on the box")


@pytest.mark.parametrize("raw", ["CSQ3054383", "CSQA3054383", "12345678901", ""])
def test_malformed_container_numbers_are_rejected(raw):
    with pytest.raises(ValidationError):
        normalise_identifier("container", raw)


@pytest.mark.parametrize("raw", ["IMO 9074729", "9074729", "imo9074729"])
def test_valid_imo_numbers(raw):
    result = normalise_identifier("imo", raw)
    assert result.value == "9074729"
    assert not result.check_digit_overridden


def test_imo_with_wrong_check_digit_needs_an_override_reason():
    with pytest.raises(ValidationError) as error:
        normalise_identifier("imo", "9074728")
    assert "override reason" in error.value.messages[0]
    accepted = normalise_identifier("imo", "9074728", override_reason="Number as painted on the hull")
    assert accepted.value == "9074728" and accepted.check_digit_overridden


@pytest.mark.parametrize("raw", ["907472", "90747290", "IMO ABCDEFG"])
def test_imo_with_bad_format_is_never_accepted(raw):
    with pytest.raises(ValidationError):
        normalise_identifier("imo", raw, override_reason="please")


def test_phone_numbers_are_normalised_to_e164():
    assert normalise_identifier("phone", "+31 (0)10 244 4444").value == "+31102444444"
    with pytest.raises(ValidationError):
        normalise_identifier("phone", "010 244 4444")  # no country: ambiguous across borders


@pytest.mark.parametrize("kind,raw,normalised", [
    ("eori", "nl 123456789", "NL123456789"),
    ("bill_of_lading", "MAEU-123 456 789", "MAEU123456789"),
    ("seal", "ml-1234567", "ML1234567"),
    ("vehicle_plate", "ab-123-c", "AB123C"),
    ("company_registration", "KVK 24321231", "KVK24321231"),
])
def test_other_identifiers_keep_a_normalised_value(kind, raw, normalised):
    assert normalise_identifier(kind, raw).value == normalised


def test_eori_needs_a_country_prefix():
    with pytest.raises(ValidationError):
        normalise_identifier("eori", "QQ123456789")


def test_unknown_kind_is_rejected():
    with pytest.raises(ValidationError) as error:
        normalise_identifier("passport", "X123")
    assert error.value.code == "invalid_kind"


@pytest.mark.parametrize("raw,normalised", [("NLRTM", "NLRTM"), ("nl rtm", "NLRTM"), ("DEHAM", "DEHAM")])
def test_locodes(raw, normalised):
    assert normalise_locode(raw) == normalised


@pytest.mark.parametrize("raw", ["XXRTM", "NLRT", "NL-RT1", "ROTTERDAM"])
def test_bad_locodes_say_so(raw):
    with pytest.raises(ValidationError) as error:
        normalise_locode(raw)
    assert "UN/LOCODE" in error.value.messages[0]
