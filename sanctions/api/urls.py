from django.urls import path
from rest_framework.routers import DefaultRouter

from . import views

router = DefaultRouter(trailing_slash=True)
router.register("sources", views.SourceViewSet, basename="source")
router.register("versions", views.VersionViewSet, basename="version")
router.register("entries", views.EntryViewSet, basename="entry")
router.register("changes", views.EntryChangeViewSet, basename="change")
router.register("vessels", views.VesselViewSet, basename="vessel")

urlpatterns = router.urls + [
    path("export/entries.ftm.jsonl", views.EntryFtMExportView.as_view(), name="export-entries-ftm"),
    path("export/vessels.ftm.jsonl", views.VesselFtMExportView.as_view(), name="export-vessels-ftm"),
]
