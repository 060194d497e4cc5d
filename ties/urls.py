"""Pages under /<network>/board/ (the board of asks and offers) and /me/ (my connections)."""

from django.urls import path

from ties import views

network_urlpatterns = [
    path("board/", views.board, name="ties_board"),
    path("board/new/", views.post_new, name="ties_post_new"),
    path("board/<int:post_id>/", views.post_detail, name="ties_post"),
    path("board/<int:post_id>/answer/", views.post_answer, name="ties_post_answer"),
    path("board/<int:post_id>/close/", views.post_close_view, name="ties_post_close"),
]

me_urlpatterns = [
    path(
        "connections/<int:connection_id>/remove/",
        views.connection_remove_view,
        name="ties_connection_remove",
    ),
]
