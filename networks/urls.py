from django.urls import path

from networks import views

federation_urlpatterns = [
    path("networks/", views.federation_networks, name="federation_networks"),
    path("networks/new/", views.federation_network_create, name="federation_network_create"),
    path("networks/<slug:slug>/", views.federation_network, name="federation_network"),
    path(
        "networks/<slug:slug>/coordinators/<int:membership_id>/remove/",
        views.federation_coordinator_remove,
        name="federation_coordinator_remove",
    ),
]

network_urlpatterns = [
    path("", views.network_detail, name="network_detail"),
    path("manage/", views.manage_home, name="manage_home"),
]
