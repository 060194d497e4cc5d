from django.urls import path

from clubin.stats import views

federation_urlpatterns = [
    path("", views.federation_dashboard, name="federation_home"),
    path("stats.json", views.federation_stats_json, name="federation_stats_json"),
    path("stats.csv", views.federation_stats_csv, name="federation_stats_csv"),
    path("refresh/", views.federation_refresh, name="federation_stats_refresh"),
]
network_urlpatterns = [
    path("manage/stats/", views.network_stats, name="manage_stats"),
    path("manage/stats/refresh/", views.network_refresh, name="manage_stats_refresh"),
]
