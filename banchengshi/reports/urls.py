from django.urls import path

from banchengshi.reports import (
    assessment_views,
    dashboard,
    report_pages,
    views,
    views_bottlenecks,
    views_disclosure,
)

urlpatterns = [
    path("work-orders/<int:order_id>/print.pdf", views.work_order_pdf, name="work_order_pdf"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("reports/assessment/", assessment_views.assessment_page, name="assessment"),
    path("reports/assessment/export.xlsx", assessment_views.assessment_export, name="assessment_export"),
    path("bottlenecks/", views_bottlenecks.bottlenecks, name="bottlenecks"),
    path("typical-cases/", views_disclosure.typical_cases, name="typical_cases"),
    path("typical-cases/<int:pk>/", views_disclosure.typical_case, name="typical_case"),
    path("public/disclosure/", views_disclosure.disclosure, name="public_disclosure"),
    path("reports/quarterly/", report_pages.quarterly, name="quarterly_report"),
    path("reports/briefing/", report_pages.briefing, name="briefing_report"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export.xlsx", views.ledger_export, name="ledger_export"),
    path("audit-log/", views.audit_log, name="audit_log"),
    path("audit-log/export.xlsx", views.audit_log_export, name="audit_log_export"),
]
