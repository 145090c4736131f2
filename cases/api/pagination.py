"""How GET /api/v1/cases/ pages: by keyset in every sortable column (coordination.keyset),
newest seizure first unless `ordering` says otherwise. Each key has its (key, id) index
(cases/migrations/0010_keyset_indexes.py); reference is unique and pages on its own index."""
from coordination.api.pagination import KeysetPagination


class CaseListPagination(KeysetPagination):
    orderings = {
        "reference": "reference",
        "title": "title",
        "status": "status",
        "owner_agency": "owner_code",
        "port": "port",
        "seized_at": "seized_at",
        "handling_code": "handling_code",
    }
    default_ordering = "-seized_at"
