from rest_framework.routers import DefaultRouter

router = DefaultRouter(trailing_slash=True)
# Endpoints register here (sanctions.api.views).

urlpatterns = router.urls
