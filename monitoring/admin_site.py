"""The admin site analysts work in: Django's own, with the desk's home dashboard and the review
queue's address. Installed in place of `django.contrib.admin` (see DeskAdminConfig), so every
`admin.register` and `admin.site` in the project is this site.

Imports of models and selectors stay inside the methods: this module is loaded while the app
registry is being populated."""
from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.shortcuts import redirect
from django.urls import path, reverse


class DeskAdminSite(admin.AdminSite):
    index_template = "admin/desk/index.html"

    def get_urls(self):
        return [
            path("review-queue/", self.admin_view(self.review_queue_view), name="review_queue"),
        ] + super().get_urls()

    def index(self, request, extra_context=None):
        from .admin_desk import dashboard_context

        context = {**dashboard_context(request), **(extra_context or {})}
        return super().index(request, context)

    def review_queue_view(self, request):
        """The queue is the screening hits' changelist, filtered to what waits for a decision."""
        url = reverse(f"{self.name}:monitoring_screeningmatch_changelist")
        return redirect(f"{url}?review_status__exact=pending&is_match__exact=1")


class DeskAdminConfig(AdminConfig):
    default_site = "monitoring.admin_site.DeskAdminSite"
