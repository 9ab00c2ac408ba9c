from django.urls import path

from messaging.api import views

urlpatterns = [
    path("conversations/", views.ConversationListView.as_view(), name="conversation-list"),
    path(
        "conversations/<int:pk>/",
        views.ConversationDetailView.as_view(),
        name="conversation-detail",
    ),
    path(
        "conversations/<int:pk>/messages/",
        views.MessageListView.as_view(),
        name="conversation-messages",
    ),
    path(
        "conversations/<int:pk>/messages/<uuid:message_id>/",
        views.MessageDetailView.as_view(),
        name="conversation-message",
    ),
    path(
        "conversations/<int:pk>/read/",
        views.ConversationReadView.as_view(),
        name="conversation-read",
    ),
    path("broadcasts/", views.BroadcastListView.as_view(), name="broadcast-list"),
]
