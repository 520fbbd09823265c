"""Print the current TOTP code of a user's confirmed device.

A demo and development tool: it lets you log in as a seeded director or admin without a phone, and lets browser
tests pass the two-factor step. It refuses to run when DEBUG is False unless --force is given, because anyone who
can run it can pass any user's second factor.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from weiyuan.accounts.models import User
from weiyuan.accounts.otp import confirmed_device, current_code


class Command(BaseCommand):
    help = (
        "Demo/dev tool: print the current TOTP code of USER_EMAIL's confirmed device (refuses unless DEBUG or --force)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", metavar="USER_EMAIL")
        parser.add_argument("--force", action="store_true", help="run even though DEBUG is False")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "totp_code is a demo/development tool and refuses to run when DEBUG is False (use --force)."
            )
        user = User.objects.filter(email__iexact=options["email"].strip()).first()
        if user is None:
            raise CommandError(f"no user with e-mail {options['email']}")
        device = confirmed_device(user)
        if device is None:
            raise CommandError(f"{options['email']} has no confirmed TOTP device")
        self.stdout.write(current_code(device))
