from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "banchengshi.supervision"
    verbose_name = "督办与联席会议"

    def ready(self) -> None:
        # The case page's 再督办 form posts to cases' case_action view like every case action; its handler
        # is supervision's, handed to cases here so that cases never imports supervision.
        from banchengshi.cases.views import register_case_handler
        from banchengshi.supervision.views import resupervise_on_case_page

        register_case_handler("resupervise", resupervise_on_case_page)
