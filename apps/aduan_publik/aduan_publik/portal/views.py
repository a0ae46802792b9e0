"""The resident portal (issue 5 grows it; the home page is the hub's front door)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {})
