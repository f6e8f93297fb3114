"""Pages of the cities app: home (the current city's overview) and the city switcher."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "cities/home.html", {"city": request.city})  # type: ignore[attr-defined]
