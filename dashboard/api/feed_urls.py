from django.urls import path

from dashboard.api import feed_views

urlpatterns = [
    path("feed/", feed_views.FeedView.as_view(), name="feed"),
    path("feed/stream/", feed_views.feed_stream, name="feed-stream"),
]
