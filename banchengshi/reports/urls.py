from django.urls import path

from banchengshi.reports import dashboard, report_pages, views

urlpatterns = [
    path("work-orders/<int:order_id>/print.pdf", views.work_order_pdf, name="work_order_pdf"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("reports/quarterly/", report_pages.quarterly, name="quarterly_report"),
    path("reports/briefing/", report_pages.briefing, name="briefing_report"),
    path("ledger/", views.ledger, name="ledger"),
    path("ledger/export.xlsx", views.ledger_export, name="ledger_export"),
    path("audit-log/", views.audit_log, name="audit_log"),
    path("audit-log/export.xlsx", views.audit_log_export, name="audit_log_export"),
]
