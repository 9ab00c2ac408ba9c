from django.urls import path

from dashboard.api import feed_views, stream_views

urlpatterns = [
    path("feed/", feed_views.FeedView.as_view(), name="feed"),
    path("feed/stream/", feed_views.feed_stream, name="feed-stream"),
    path(
        "feed/stream/ticket/", feed_views.FeedStreamTicketView.as_view(), name="feed-stream-ticket"
    ),
    # Per user (trainers and clients): feed events, messages, notifications (docs/messaging.md).
    path("stream/", stream_views.user_stream_view, name="user-stream"),
    path("stream/ticket/", stream_views.UserStreamTicketView.as_view(), name="user-stream-ticket"),
]
