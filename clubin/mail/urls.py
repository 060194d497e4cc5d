from django.urls import path

from clubin.mail import views

app_name = "mail"
urlpatterns = [
    path("", views.dev_mail_list, name="dev_list"),
    path("<int:email_id>/", views.dev_mail_detail, name="dev_detail"),
]
