"""Background tasks of the analysis app, run by django-tasks workers (`pactesur serve` starts one)."""

from __future__ import annotations

from django_tasks import task

from pactesur.analysis.actions import do_run_city_analysis, do_run_space_analysis
from pactesur.spaces.models import Space


@task()
def analyse_space(space_id: int) -> str:
    """Compute the queued analyses of one space, every vehicle class, on the city's active network."""
    space = Space.objects.filter(pk=space_id).first()
    if space is None:
        return "space deleted"
    stats = do_run_space_analysis(space)
    return f"{stats.analyses} analyses, {stats.failed} failed, {stats.entries} entries"


@task()
def analyse_city(city_id: int) -> str:
    """Compute the city's speed maps and the analyses of all its spaces that are not done yet."""
    from pactesur.cities.models import City

    city = City.objects.filter(pk=city_id).first()
    if city is None:
        return "city deleted"
    stats = do_run_city_analysis(city)
    return (
        f"{stats.spaces} spaces, {stats.analyses} analyses, {stats.failed} failed, "
        f"{stats.speed_maps} speed maps in {stats.seconds:.1f} s"
    )
