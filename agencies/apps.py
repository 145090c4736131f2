from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies"

    def ready(self) -> None:
        from audit.context import register_actor_resolver, register_auditor_directory, register_export_policy

        from . import signals
        from .selectors import agency_code_and_role, auditors_of_agency, exports_need_justification

        signals.connect()
        register_actor_resolver(agency_code_and_role)
        register_auditor_directory(auditors_of_agency)
        register_export_policy(exports_need_justification)
