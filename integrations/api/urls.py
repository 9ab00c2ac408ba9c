from rest_framework.routers import SimpleRouter

from integrations.api.key_views import ApiKeyViewSet

router = SimpleRouter()
router.register("api-keys", ApiKeyViewSet, basename="api-key")

urlpatterns: list = [*router.urls]
