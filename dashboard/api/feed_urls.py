from django.urls import path

from dashboard.api import feed_views

urlpatterns = [
    path("feed/", feed_views.FeedView.as_view(), name="feed"),
    path("feed/stream/", feed_views.feed_stream, name="feed-stream"),
    path(
        "feed/stream/ticket/", feed_views.FeedStreamTicketView.as_view(), name="feed-stream-ticket"
    ),
]
