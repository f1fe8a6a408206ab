from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save, pre_save


class CasesConfig(AppConfig):
    name = "banchengshi.cases"
    verbose_name = "反映件"

    def ready(self) -> None:
        from banchengshi.cases import search
        from banchengshi.cases.models import Case
        from banchengshi.dispatch.models import Matter

        # The full-text index follows every save and delete of a case (bulk loaders write it themselves).
        post_save.connect(search.case_saved, sender=Case, dispatch_uid="cases.search.saved")
        post_delete.connect(search.case_deleted, sender=Case, dispatch_uid="cases.search.deleted")
        # A renamed matter: its cases' documents hold its name.
        pre_save.connect(search.matter_saving, sender=Matter, dispatch_uid="cases.search.matter_saving")
        post_save.connect(search.matter_saved, sender=Matter, dispatch_uid="cases.search.matter_saved")
