from pathlib import Path
from typing import Any

from django.core.management.base import CommandError

from banchengshi.dispatch.management.commands.load_district import Command as DistrictCommand
from banchengshi.guides.loading import GuideFileError, load_guides


class Command(DistrictCommand):
    """dispatch's `load_district`, then the district's 办事指南 for its matters (the guides app is listed
    before dispatch in INSTALLED_APPS, so this command is the one `manage.py load_district` runs)."""

    help = DistrictCommand.help + "；并载入各事项的办事指南"

    def handle(self, *args: Any, **options: Any) -> None:
        super().handle(*args, **options)
        # A district folder may bring its own guides.json; otherwise the shipped district's.
        own = Path(options["directory"]) / "guides.json"
        try:
            report = load_guides(own) if own.exists() else load_guides()
        except GuideFileError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"办事指南：新增 {report.created}，更新 {report.updated}，未变 {report.unchanged}")
