"""Input the database cannot store becomes a 400 page, not a server error."""

from __future__ import annotations

from collections.abc import Callable

from django.db import DataError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

UNSTORABLE = (
    "Something you sent holds a character that cannot be stored, such as a NUL (zero) "
    "character. Nothing was changed; remove it and try again."
)


class UnstorableInputMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DataError):
            return render(request, "400.html", {"reason": UNSTORABLE}, status=400)
        return None
