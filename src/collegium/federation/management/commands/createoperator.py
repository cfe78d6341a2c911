"""``collegium createoperator USERNAME``: the installation's operator account."""

from __future__ import annotations

import getpass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Create the operator account (installation and imports; decides nothing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username")
        parser.add_argument("--email", default="")

    def handle(self, *args: Any, username: str, email: str, **options: Any) -> None:
        user_model = get_user_model()
        if user_model.objects.filter(username=username).exists():
            raise CommandError(f"{username!r} exists already")
        password = getpass.getpass("Password: ")
        user = user_model(username=username, email=email, is_operator=True)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        user.set_password(password)
        user.save()
        self.stdout.write(f"Operator {username!r} created.")
