from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies"

    def ready(self) -> None:
        from audit.context import register_actor_resolver, register_auditor_directory, register_export_policy

        from django.contrib.auth.signals import user_logged_in

        from . import signals
        from .sessions import session_stamp
        from .selectors import agency_code_and_role, auditors_of_agency, exports_need_justification

        signals.connect()
        user_logged_in.connect(session_stamp, dispatch_uid="agencies.session_stamp")
        register_actor_resolver(agency_code_and_role)
        register_auditor_directory(auditors_of_agency)
        register_export_policy(exports_need_justification)
