"""Pages under /<network>/board/ (the board of asks and offers) and /me/ (my connections)."""

from django.urls import path

from ties.views import (
    board,
    connections,
    introductions,
    meetings,
    people,
    referrals,
    suggestions,
    unconnected,
)

network_urlpatterns = [
    path("board/", board.board, name="ties_board"),
    path("board/new/", board.post_new, name="ties_post_new"),
    path("board/<int:post_id>/", board.post_detail, name="ties_post"),
    path("board/<int:post_id>/answer/", board.post_answer, name="ties_post_answer"),
    path("board/<int:post_id>/close/", board.post_close_view, name="ties_post_close"),
    path("introductions/new/", introductions.introduction_new, name="ties_introduction_new"),
    path("one-to-ones/new/", meetings.one_to_one_new, name="ties_one_to_one_new"),
    path("events/<int:event_id>/met/", meetings.event_met, name="ties_event_met"),
    path("events/<int:event_id>/met/listing/", meetings.event_listing, name="ties_event_listing"),
    path("events/<int:event_id>/met/mark/", meetings.event_mark, name="ties_event_mark"),
]

me_urlpatterns = [
    path(
        "connections/<int:connection_id>/remove/",
        connections.connection_remove_view,
        name="ties_connection_remove",
    ),
    path(
        "introductions/<int:introduction_id>/",
        introductions.introduction_detail,
        name="ties_introduction",
    ),
    path(
        "introductions/<int:introduction_id>/accept/",
        introductions.introduction_accept,
        name="ties_introduction_accept",
    ),
    path(
        "introductions/<int:introduction_id>/decline/",
        introductions.introduction_decline,
        name="ties_introduction_decline",
    ),
    path(
        "one-to-ones/<int:one_to_one_id>/confirm/",
        meetings.one_to_one_confirm_view,
        name="ties_one_to_one_confirm",
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

me_urlpatterns += [
    path(
        "suggestions/<int:user_id>/dismiss/",
        suggestions.suggestion_dismiss_view,
        name="ties_suggestion_dismiss",
    ),
]

# The member pickers' search, the introducer's list, and the coordinators' unconnected members.
network_urlpatterns += [
    path("people/search/", people.people_search_view, name="ties_people_search"),
    path(
        "manage/unconnected/",
        unconnected.unconnected_members_view,
        name="ties_unconnected",
    ),
]

me_urlpatterns += [
    path("introductions/", introductions.my_introductions_view, name="ties_my_introductions"),
]
