# SimpleRouter everywhere: several apps share /api/v1/, so no app may claim its root view.
from django.urls import path
from rest_framework.routers import SimpleRouter

from clients.api import views

router = SimpleRouter()
router.register("invites", views.InviteViewSet, basename="invite")
router.register("clients", views.ClientViewSet, basename="client")

notes = views.ClientNoteViewSet.as_view({"get": "list", "post": "create"})
note = views.ClientNoteViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
)

grants = views.ClientAccessViewSet.as_view({"get": "list", "post": "create"})
grant = views.ClientAccessViewSet.as_view(
    {"get": "retrieve", "patch": "partial_update", "delete": "destroy"}
)

urlpatterns = [
    # accept/ before <token>/ so "accept" is never read as a token.
    path("auth/invites/accept/", views.InviteAcceptView.as_view(), name="invite-accept"),
    path("auth/invites/<str:token>/", views.InvitePreviewView.as_view(), name="invite-preview"),
    path("clients/<int:client_id>/notes/", notes, name="client-note-list"),
    path("clients/<int:client_id>/notes/<int:pk>/", note, name="client-note-detail"),
    path("clients/<int:client_id>/health/", views.ClientHealthView.as_view(), name="client-health"),
    path("clients/<int:client_id>/access/", grants, name="client-access-list"),
    path("clients/<int:client_id>/access/<int:pk>/", grant, name="client-access-detail"),
    path(
        "clients/<int:client_id>/transfer/",
        views.ClientTransferView.as_view(),
        name="client-transfer",
    ),
    path("me/team/", views.MyTeamView.as_view(), name="me-team"),
    path("me/team/changes/", views.MyTeamChangesView.as_view(), name="me-team-changes"),
    path("me/health/", views.MyHealthView.as_view(), name="me-health"),
    path("me/trainer/", views.MyTrainerView.as_view(), name="me-trainer"),
    *router.urls,
]
