from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views, webhooks

app_name = "monitoring-api"

router = DefaultRouter(trailing_slash=True)
router.register("reports", views.ReportViewSet, basename="report")
router.register(r"reports/(?P<report_pk>[^/.]+)/subjects", views.ReportSubjectViewSet, basename="report-subject")
router.register(r"reports/(?P<report_pk>[^/.]+)/evidence", views.EvidenceViewSet, basename="report-evidence")
router.register(r"reports/(?P<report_pk>[^/.]+)/matches", views.ReportMatchViewSet, basename="report-match")
router.register("matches", views.MatchViewSet, basename="match")
router.register("screen", views.ScreenViewSet, basename="screen")
router.register("webhooks", webhooks.WebhookSubscriptionViewSet, basename="webhook")

urlpatterns = [
    path("export/reports.ftm.jsonl", views.ReportExportView.as_view(), name="export-reports-ftm"),
    *router.urls,
]
