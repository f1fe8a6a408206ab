"""Seeds the statutory calendar 2004-2026 from chinese-calendar and the five jurisdictions' presets."""

from django.db import migrations


def seed(apps, schema_editor):
    from banchengshi.sla.calendar import from_chinese_calendar, holiday_names
    from banchengshi.sla.presets import PRESETS

    CalendarYear = apps.get_model("sla", "CalendarYear")
    CalendarDay = apps.get_model("sla", "CalendarDay")
    Policy = apps.get_model("sla", "Policy")
    for year, (holidays, workdays) in from_chinese_calendar(2004, 2026).items():
        if CalendarYear.objects.filter(year=year).exists():
            continue
        names = holiday_names(year)
        calendar_year = CalendarYear.objects.create(year=year, source="chinese-calendar（国务院办公厅节假日安排）")
        CalendarDay.objects.bulk_create(
            [CalendarDay(year=calendar_year, date=d, kind="holiday", name=names.get(d, "")) for d in sorted(holidays)]
            + [CalendarDay(year=calendar_year, date=d, kind="workday", name=names.get(d, "调休上班")) for d in sorted(workdays)]
        )
    # Only the fields this migration's Policy has: later migrations add (and fill) the newer ones.
    known = {f.name for f in Policy._meta.get_fields()}
    for preset in PRESETS:
        Policy.objects.get_or_create(code=preset["code"], defaults={k: v for k, v in preset.items() if k in known})


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
