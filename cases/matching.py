"""Match keys for hit/no-hit matching: an HMAC-SHA256, under settings.MATCHING_KEY, of a kind
and a normalised value. Pure functions; cases.services.matching writes the keys and the hits.

Matching compares keys only: the index holds no readable value, and without the key nobody
can test a guessed container or name against it.

- Identifiers: their own normalisation (cases.validators), phones in E.164 read with the
  country of the case's agency.
- Companies: a fingerprint of the name (OCCRP's `fingerprints`: case, accents, punctuation,
  word order and legal forms such as B.V., GmbH or S.A. dropped), and the registration number,
  under the same kind as a company_registration identifier.
- Persons: the transliterated name, its words in sorted order, with the date of birth. No date
  of birth, no key: a name alone matches too many people.
"""
import hashlib
import hmac
from typing import NamedTuple

import fingerprints
from django.conf import settings
from django.core.exceptions import ValidationError

from .choices import IdentifierKind, PartyKind
from .choices import MatchKeyKind
from .models import Identifier, Party
from .validators import normalise_identifier

_SEPARATOR = "\x1f"  # cannot occur in a normalised value


class Key(NamedTuple):
    kind: str
    key: str


def match_key(kind: str, value: str) -> str:
    """The hex HMAC-SHA256 of `kind` and the already normalised `value`."""
    message = f"{kind}{_SEPARATOR}{value}".encode()
    return hmac.new(settings.MATCHING_KEY.encode(), message, hashlib.sha256).hexdigest()


def company_fingerprint(name: str) -> str:
    """'Rotterdam Fruit Traders B.V.' and 'ROTTERDAM FRUIT TRADERS BV' -> 'fruit rotterdam traders'."""
    generated = fingerprints.generate(name) or ""
    return fingerprints.remove_types(generated) or generated


def person_fingerprint(name: str) -> str:
    """Transliterated, lower case, punctuation dropped, words sorted: 'VRIES, Jan de' is 'Jan de Vries'."""
    return fingerprints.generate(name) or ""


def identifier_keys(identifier: Identifier) -> list[Key]:
    if identifier.matching_excluded or not identifier.value:
        return []
    return [Key(identifier.kind, match_key(identifier.kind, identifier.value))]


def party_keys(party: Party) -> list[Key]:
    keys = []
    if party.kind == PartyKind.COMPANY:
        fingerprint = company_fingerprint(party.name)
        if fingerprint:
            keys.append(Key(MatchKeyKind.COMPANY, match_key(MatchKeyKind.COMPANY, fingerprint)))
        if party.registration:
            try:
                registration = normalise_identifier(IdentifierKind.COMPANY_REGISTRATION, party.registration).value
            except ValidationError:
                registration = ""
            if registration:
                kind = MatchKeyKind.COMPANY_REGISTRATION
                keys.append(Key(kind, match_key(kind, registration)))
    elif party.kind == PartyKind.PERSON and party.date_of_birth:
        fingerprint = person_fingerprint(party.name)
        if fingerprint:
            value = f"{fingerprint}{_SEPARATOR}{party.date_of_birth.isoformat()}"
            keys.append(Key(MatchKeyKind.PERSON, match_key(MatchKeyKind.PERSON, value)))
    return keys
