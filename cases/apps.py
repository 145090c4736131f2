from django.apps import AppConfig
from django.db.models.signals import post_delete, pre_delete


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = "Seizure cases"

    def ready(self) -> None:
        from .models import Identifier, Party
        from .services.matching import keys_before_delete, withdraw_after_delete
        from .views.dashboard import register_dashboard_tile
        from .views.hits import DASHBOARD_TILES

        for model in (Identifier, Party):
            pre_delete.connect(keys_before_delete, sender=model, dispatch_uid=f"match_keys_{model.__name__}")
            post_delete.connect(withdraw_after_delete, sender=model, dispatch_uid=f"withdraw_{model.__name__}")
        for tile in DASHBOARD_TILES:
            register_dashboard_tile(tile)
