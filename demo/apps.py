from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo federation (`load_demo`, `load_demo_events`): fictional data for development.

    It sits above every app (it loads networks, people and events through their services) and
    no app imports it, so the product ships the same whether or not it is installed.
    """

    name = "demo"
    verbose_name = "Demo data"
