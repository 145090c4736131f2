from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies"

    def ready(self) -> None:
        from audit.context import register_actor_resolver

        from . import signals
        from .selectors import agency_code_and_role

        signals.connect()
        register_actor_resolver(agency_code_and_role)
