from django.urls import path

from clubin.stats import views

federation_urlpatterns = [
    path("", views.federation_dashboard, name="federation_home"),
    path("stats.json", views.federation_stats_json, name="federation_stats_json"),
    path("stats.csv", views.federation_stats_csv, name="federation_stats_csv"),
]
network_urlpatterns = [
    path("manage/stats/", views.network_stats, name="manage_stats"),
]
