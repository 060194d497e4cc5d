"""Pages under /<network>/board/ (the board of asks and offers) and /me/ (my connections)."""

from django.urls import path

from ties.views import board, connections, referrals

network_urlpatterns = [
    path("board/", board.board, name="ties_board"),
    path("board/new/", board.post_new, name="ties_post_new"),
    path("board/<int:post_id>/", board.post_detail, name="ties_post"),
    path("board/<int:post_id>/answer/", board.post_answer, name="ties_post_answer"),
    path("board/<int:post_id>/close/", board.post_close_view, name="ties_post_close"),
]

me_urlpatterns = [
    path(
        "connections/<int:connection_id>/remove/",
        connections.connection_remove_view,
        name="ties_connection_remove",
    ),
]

network_urlpatterns += [
    path("referrals/new/", referrals.referral_new, name="ties_referral_new"),
    path("referrals/<int:referral_id>/", referrals.referral_detail, name="ties_referral"),
    path(
        "referrals/<int:referral_id>/move/",
        referrals.referral_move_view,
        name="ties_referral_move",
    ),
]

me_urlpatterns += [
    path("referrals/", referrals.my_referrals_view, name="ties_my_referrals"),
]
