from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class CasesConfig(AppConfig):
    name = "banchengshi.cases"
    verbose_name = "反映件"

    def ready(self) -> None:
        from banchengshi.cases import search
        from banchengshi.cases.models import Case

        # The full-text index follows every save and delete of a case (bulk loaders write it themselves).
        post_save.connect(search.case_saved, sender=Case, dispatch_uid="cases.search.saved")
        post_delete.connect(search.case_deleted, sender=Case, dispatch_uid="cases.search.deleted")
