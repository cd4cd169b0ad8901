from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from audit.api import AuditRecordListApi
from config.security import ThrottledAdminAuthenticationForm

admin.site.site_header = "Sanctions Monitoring"
admin.site.site_title = "Sanctions Monitoring"
admin.site.index_title = "Analyst desk"
admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/audit/", AuditRecordListApi.as_view(), name="audit-records"),
    path("api/v1/", include("sanctions.api.urls")),
    path("api/v1/", include("monitoring.api.urls")),
    path("api/v1/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
]
