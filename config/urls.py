from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView


admin.site.site_header = "Sanctions Monitoring"
admin.site.site_title = "Sanctions Monitoring"
admin.site.index_title = "Analyst desk"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
]
