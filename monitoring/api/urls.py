from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
# Endpoints register here (monitoring.api.views).

urlpatterns = router.urls
