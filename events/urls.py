"""Event pages under /<network>/ (names are global, like the other network pages)."""

from django.urls import path

from events.views import badges, door, manage, public

EVENT = "events/<int:event_id>/"
MANAGE = "manage/events/<int:event_id>/"

network_urlpatterns = [
    path("events/", public.events, name="events"),
    path("events/feed.ics", public.events_feed, name="events_feed"),
    path(EVENT, public.event_detail, name="event_detail"),
    path(EVENT + "event.ics", public.event_ics, name="event_ics"),
    path(EVENT + "register/", public.event_register, name="event_register"),
    path(EVENT + "cancel/", public.event_cancel_registration, name="event_cancel_registration"),
    path(EVENT + "listing/", public.event_listing, name="event_listing"),
    path(EVENT + "guest/", public.event_register_guest, name="event_register_guest"),
    path(
        EVENT + "guest/confirm/<str:token>/", public.event_guest_confirm, name="event_guest_confirm"
    ),
    path(EVENT + "guest/cancel/<str:token>/", public.event_guest_cancel, name="event_guest_cancel"),
    path("manage/events/", manage.manage_events, name="manage_events"),
    path("manage/events/new/", manage.manage_event_create, name="manage_event_create"),
    path(MANAGE, manage.manage_event, name="manage_event"),
    path(MANAGE + "edit/", manage.manage_event_edit, name="manage_event_edit"),
    path(MANAGE + "publish/", manage.manage_event_publish, name="manage_event_publish"),
    path(MANAGE + "cancel/", manage.manage_event_cancel, name="manage_event_cancel"),
    path(MANAGE + "announce/", manage.manage_event_announce, name="manage_event_announce"),
    path(MANAGE + "follow-up/", manage.manage_event_followup, name="manage_event_followup"),
    path(MANAGE + "badges.pdf", badges.event_badges, name="event_badges"),
    path(MANAGE + "checkin/", door.checkin, name="event_checkin"),
    path(MANAGE + "checkin/counts/", door.checkin_counts, name="event_checkin_counts"),
    path(MANAGE + "checkin/search/", door.checkin_search, name="event_checkin_search"),
    path(MANAGE + "checkin/scan/", door.checkin_scan_view, name="event_checkin_scan"),
    path(MANAGE + "checkin/walk-in/", door.checkin_walk_in, name="event_checkin_walk_in"),
    path(MANAGE + "checkin/<int:registration_id>/", door.checkin_mark, name="event_checkin_mark"),
]

me_urlpatterns = [path("events/", public.my_events, name="my_events")]
