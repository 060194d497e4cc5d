from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "clubin.ops"
    label = "ops"
    verbose_name = "Operations"
