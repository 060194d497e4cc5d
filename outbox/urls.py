from django.urls import path

from outbox import views

app_name = "mail"
urlpatterns = [
    path("dev/mail/", views.dev_mail_list, name="dev_list"),
    path("dev/mail/<int:email_id>/", views.dev_mail_detail, name="dev_detail"),
    path("unsubscribe/<str:token>/", views.optout, name="optout"),
]
