"""Print the demo logins: the last thing `make run` says before the server starts."""

from django.core.management.base import BaseCommand

from demo.management.commands.load_demo import logins_text


class Command(BaseCommand):
    help = "Print the demo logins and their password (loaded by load_demo)."

    def handle(self, *args, **options) -> None:
        self.stdout.write(logins_text())
