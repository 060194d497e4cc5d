from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from clubin import pwa
from clubin import views as site_views
from clubin.stats.urls import federation_urlpatterns as stats_federation_urlpatterns
from clubin.stats.urls import network_urlpatterns as stats_network_urlpatterns
from events.urls import me_urlpatterns as event_me_urlpatterns
from events.urls import network_urlpatterns as event_network_urlpatterns
from events.views import public as event_views
from members.urls import card_urlpatterns, invite_urlpatterns, people_urlpatterns
from members.urls import network_urlpatterns as member_network_urlpatterns
from members.views import me as member_views
from networks import views as network_views
from networks.urls import federation_urlpatterns, network_urlpatterns
from ties.urls import me_urlpatterns as ties_me_urlpatterns
from ties.urls import network_urlpatterns as ties_network_urlpatterns

# The admin signs in through allauth, with its rate limits, never through a second login form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "ClubIN"

urlpatterns = [
    path("", event_views.home, name="home"),
    path("healthz", site_views.healthz, name="healthz"),
    path("events/", event_views.all_events, name="all_events"),
    path("manifest.webmanifest", pwa.manifest, name="pwa_manifest"),
    path("sw.js", pwa.service_worker, name="pwa_service_worker"),
    # Django's set_language, wrapped so that a signed-in person's choice is kept for their email.
    path("i18n/setlang/", member_views.language_switch, name="set_language"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("me/", include(event_me_urlpatterns)),
    path("me/", include(ties_me_urlpatterns)),
    path("me/", include("members.urls")),
    path("federation/", include(stats_federation_urlpatterns + federation_urlpatterns)),
    path("card/", include(card_urlpatterns)),
    path("people/", include(people_urlpatterns)),
    path("invite/", include(invite_urlpatterns)),
    path("privacy/", network_views.privacy_notice, name="privacy"),
    path("", include("outbox.urls")),
    # Last, so every fixed top-level path above wins over a network slug.
    path(
        "<slug:network_slug>/",
        include(
            network_urlpatterns
            + member_network_urlpatterns
            + event_network_urlpatterns
            + stats_network_urlpatterns
            + ties_network_urlpatterns
        ),
    ),
]
